/*
 * libigny8settings — the settings core of the igny8 AI content platform.
 * Include this header for the whole public API.
 */
#ifndef IGNY8_H
#define IGNY8_H

#include "igny8/version.h"
#include "igny8/common.h"
#include "igny8/errors.h"
#include "igny8/store.h"
#include "igny8/model.h"
#include "igny8/settings.h"
#include "igny8/account.h"
#include "igny8/modules.h"
#include "igny8/audit.h"
#include "igny8/resolve.h"
#include "igny8/access.h"
#include "igny8/prompt.h"
#include "igny8/library.h"
#include "igny8/transfer.h"
#include "igny8/health.h"

#endif
