/*
 * libigny8settings — version.
 * The one place the version is defined: CMake, the pkg-config file, the package
 * version file and the Python bindings all read it from here.
 * Thread safety: constants only.
 */
#ifndef IGNY8_VERSION_H
#define IGNY8_VERSION_H

#define IGNY8_VERSION_MAJOR 1
#define IGNY8_VERSION_MINOR 3
#define IGNY8_VERSION_PATCH 0

#define IGNY8_VERSION_NUMBER \
    (IGNY8_VERSION_MAJOR * 10000 + IGNY8_VERSION_MINOR * 100 + IGNY8_VERSION_PATCH)

/** True when the headers are at least version maj.min.pat. */
#define IGNY8_VERSION_CHECK(maj, min, pat) \
    (IGNY8_VERSION_NUMBER >= ((maj) * 10000 + (min) * 100 + (pat)))

#endif
