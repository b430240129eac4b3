#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common.h"

#define IGNY8__STR_(x) #x
#define IGNY8__STR(x) IGNY8__STR_(x)

const char *igny8_version(int *major, int *minor, int *patch)
{
    if (major) *major = IGNY8_VERSION_MAJOR;
    if (minor) *minor = IGNY8_VERSION_MINOR;
    if (patch) *patch = IGNY8_VERSION_PATCH;
    return IGNY8__STR(IGNY8_VERSION_MAJOR) "." IGNY8__STR(IGNY8_VERSION_MINOR) "."
           IGNY8__STR(IGNY8_VERSION_PATCH);
}

void igny8__now_iso(char buf[IGNY8__TIME_LEN])
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    snprintf(buf, IGNY8__TIME_LEN, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000L);
}

int64_t igny8__now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void igny8__ms_to_iso(int64_t ms, char buf[IGNY8__TIME_LEN])
{
    struct tm tm;
    time_t sec = (time_t)(ms / 1000);
    gmtime_r(&sec, &tm);
    snprintf(buf, IGNY8__TIME_LEN, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ms % 1000));
}

int64_t igny8__iso_to_ms(const char *iso)
{
    struct tm tm;
    int ms = 0, used = 0;
    memset(&tm, 0, sizeof(tm));
    if (iso == NULL || sscanf(iso, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                              &tm.tm_min, &tm.tm_sec, &used) != 6)
        return -1;
    const char *rest = iso + used;
    if (rest[0] == '.' && rest[1] >= '0' && rest[1] <= '9' && rest[2] >= '0' && rest[2] <= '9' && rest[3] >= '0' &&
        rest[3] <= '9') {
        ms = (rest[1] - '0') * 100 + (rest[2] - '0') * 10 + (rest[3] - '0');
        rest += 4;
    }
    if (strcmp(rest, "Z") != 0 || tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 ||
        tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return (int64_t)timegm(&tm) * 1000 + ms;
}

const char *igny8_model_type_name(int model_type)
{
    switch (model_type) {
    case IGNY8_MODEL_TEXT: return "text";
    case IGNY8_MODEL_IMAGE: return "image";
    default: return NULL;
    }
}

int igny8__model_type_from_name(const char *name)
{
    if (name == NULL)
        return 0;
    if (strcmp(name, "text") == 0)
        return IGNY8_MODEL_TEXT;
    if (strcmp(name, "image") == 0)
        return IGNY8_MODEL_IMAGE;
    return 0;
}

const char *igny8__library_kind_name(int kind)
{
    switch (kind) {
    case IGNY8_LIBRARY_AUTHOR_PROFILE: return "author_profile";
    case IGNY8_LIBRARY_STRATEGY: return "strategy";
    default: return NULL;
    }
}

int igny8__library_kind_from_name(const char *name)
{
    if (name && strcmp(name, "author_profile") == 0)
        return IGNY8_LIBRARY_AUTHOR_PROFILE;
    if (name && strcmp(name, "strategy") == 0)
        return IGNY8_LIBRARY_STRATEGY;
    return 0;
}

int igny8__options_copy(void *dst, const void *src, const size_t *size_by_version,
                        unsigned int current_version, const char *what)
{
    unsigned int version = *(const unsigned int *)src;
    if (version < 1 || version > current_version)
        return igny8__error_set(IGNY8_EINVAL, "version",
                                "%s version %u is not supported (1..%u)", what, version,
                                current_version);
    memcpy(dst, src, size_by_version[version]);
    *(unsigned int *)dst = current_version;
    return IGNY8_OK;
}
