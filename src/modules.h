#ifndef IGNY8__MODULES_H
#define IGNY8__MODULES_H

#include "igny8/modules.h"

/* A module name: 1..64 lowercase letters, digits or '_'; the error names "name". */
int igny8__module_check_name(const char *name);

#endif
