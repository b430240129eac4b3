/* igny8ctl — arguments, inputs and error reporting shared by every command. */
#include "ctl.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- options ---- */

const char *ctl_opt(const ctl_args *a, const char *name)
{
    for (int i = a->nopt - 1; i >= 0; i--)
        if (strcmp(a->opt[i].name, name) == 0)
            return a->opt[i].value;
    return NULL;
}

int ctl_flag(const ctl_args *a, const char *name)
{
    for (int i = 0; i < a->nopt; i++)
        if (strcmp(a->opt[i].name, name) == 0)
            return 1;
    return 0;
}

/* ---- values ---- */

/* Up to 32 bytes of an argument for a message, control characters shown as '?', so that
 * the message stays one line. */
static const char *shown(const char *s, char buf[36])
{
    size_t n = 0;
    for (; s && s[n] && n < 32; n++)
        buf[n] = (unsigned char)s[n] < 0x20 || s[n] == 0x7f ? '?' : s[n];
    buf[n] = '\0';
    return buf;
}

/* strtoll skips leading white space and takes a '+': a whole number is '-'? digits. */
int ctl_parse_i64(const char *s, const char *field, int64_t *out)
{
    char *end = NULL, buf[36];
    const char *digits = s && s[0] == '-' ? s + 1 : s;
    int whole = digits && *digits >= '0' && *digits <= '9';
    errno = 0;
    long long v = whole ? strtoll(s, &end, 10) : 0;
    if (!whole || *end || errno)
        return ctl_invalid(field, "%s '%s' is not an integer", field, shown(s, buf));
    *out = (int64_t)v;
    return CTL_OK;
}

int ctl_parse_int(const char *s, const char *field, int *out)
{
    int64_t v = 0;
    int rc = ctl_parse_i64(s, field, &v);
    if (rc)
        return rc;
    if (v < INT_MIN || v > INT_MAX)
        return ctl_invalid(field, "%s %s is out of range", field, s);
    *out = (int)v;
    return CTL_OK;
}

int ctl_id_of(const char *s, int64_t *out)
{
    uint64_t v = 0;
    if (!s || s[0] < '1' || s[0] > '9')
        return -1;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9' || v > ((uint64_t)INT64_MAX - (uint64_t)(*p - '0')) / 10)
            return -1;
        v = v * 10 + (uint64_t)(*p - '0');
    }
    *out = (int64_t)v;
    return 0;
}

int ctl_parse_id(const char *s, const char *label, const char *field, int64_t *out)
{
    char buf[36];
    if (ctl_id_of(s, out) == 0)
        return CTL_OK;
    return ctl_invalid(field, "%s '%s' is not an id: %s", label, shown(s, buf), CTL_ID_RULE);
}

int ctl_split_list(const char *s, char **copy, char ***items, size_t *count)
{
    size_t n = 1;
    for (const char *p = s; *p; p++)
        n += *p == ',';
    char *buf = strdup(s), **v = calloc(n, sizeof *v);
    if (!buf || !v) {
        free(buf);
        free(v);
        return ctl_other("out of memory");
    }
    char *item = buf;
    for (size_t i = 0; i < n; i++) {  /* not strtok: "7,,8" has an empty item */
        char *comma = strchr(item, ',');
        if (comma)
            *comma = '\0';
        v[i] = item;
        item = comma ? comma + 1 : item;
    }
    *copy = buf;
    *items = v;
    *count = n;
    return CTL_OK;
}

int ctl_parse_id_list(const char *s, const char *label, const char *field, int64_t **out, size_t *count)
{
    char *copy = NULL, **items = NULL;
    size_t n = 0;
    int64_t *v = NULL;
    int rc = ctl_split_list(s, &copy, &items, &n);
    if (rc == CTL_OK && (v = calloc(n, sizeof *v)) == NULL)
        rc = ctl_other("out of memory");
    for (size_t i = 0; rc == CTL_OK && i < n; i++)
        rc = ctl_parse_id(items[i], label, field, &v[i]);
    free(copy);
    free(items);
    if (rc) {
        free(v);
        return rc;
    }
    *out = v;
    *count = n;
    return CTL_OK;
}

/* strtod alone takes white space, a sign, hex, exponents, inf and nan: a price is written
 * one way, so that what the audit log shows is what the operator meant. */
int ctl_parse_decimal(const char *s, const char *label, const char *field, double max, double *out)
{
    char buf[36];
    size_t whole = strspn(s, "0123456789");
    size_t frac = s[whole] == '.' ? strspn(s + whole + 1, "0123456789") : 0;
    int plain = whole > 0 && (s[whole] == '\0' || (frac > 0 && s[whole + 1 + frac] == '\0'));
    double v = plain ? strtod(s, NULL) : 0;
    if (!plain || v > max)
        return ctl_invalid(field, "%s '%s' is not a decimal number from 0 to %.10g (e.g. 0.005)", label,
                           shown(s, buf), max);
    *out = v;
    return CTL_OK;
}

int ctl_parse_model_type(const char *s, const char *field, int *out)
{
    if (strcmp(s, "text") == 0)
        *out = IGNY8_MODEL_TEXT;
    else if (strcmp(s, "image") == 0)
        *out = IGNY8_MODEL_IMAGE;
    else
        return ctl_invalid(field, "%s '%s' is neither text nor image", field, s);
    return CTL_OK;
}

int ctl_parse_onoff(const char *s, const char *field, int *out)
{
    static const char *const on[] = { "on", "true", "1", "yes", "enable", NULL };
    static const char *const off[] = { "off", "false", "0", "no", "disable", NULL };
    for (int i = 0; on[i]; i++) {
        if (strcasecmp(s, on[i]) == 0)
            return *out = 1, CTL_OK;
        if (strcasecmp(s, off[i]) == 0)
            return *out = 0, CTL_OK;
    }
    return ctl_invalid(field, "%s '%s' is neither on nor off", field, s);
}

int ctl_parse_kind(const char *s, int *out)
{
    static const struct { const char *name; int kind; } kinds[] = {
        { "author-profiles", IGNY8_LIBRARY_AUTHOR_PROFILE }, { "author-profile", IGNY8_LIBRARY_AUTHOR_PROFILE },
        { "author_profile", IGNY8_LIBRARY_AUTHOR_PROFILE }, { "author_profiles", IGNY8_LIBRARY_AUTHOR_PROFILE },
        { "profiles", IGNY8_LIBRARY_AUTHOR_PROFILE }, { "profile", IGNY8_LIBRARY_AUTHOR_PROFILE },
        { "strategies", IGNY8_LIBRARY_STRATEGY }, { "strategy", IGNY8_LIBRARY_STRATEGY },
    };
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(s, kinds[i].name) == 0)
            return *out = kinds[i].kind, CTL_OK;
    return ctl_invalid("kind", "kind '%s' is neither author-profiles nor strategies", s);
}

int ctl_active_filter(const ctl_ctx *c, const ctl_args *a, int *out)
{
    int active = ctl_flag(a, "active"), inactive = ctl_flag(a, "inactive");
    if (active && inactive)
        return ctl_usage(c, "--active and --inactive exclude each other");
    *out = active ? IGNY8_FILTER_ACTIVE : inactive ? IGNY8_FILTER_INACTIVE : 0;
    return CTL_OK;
}

int ctl_model_filter(const ctl_ctx *c, const ctl_args *a, igny8_model_filter *out)
{
    const char *type = ctl_opt(a, "type");
    int rc = ctl_active_filter(c, a, &out->active);
    if (rc == CTL_OK && type)
        rc = ctl_parse_model_type(type, "type", &out->model_type);
    out->provider = ctl_opt(a, "provider");
    return rc;
}

int ctl_value_or_clear(const ctl_ctx *c, const ctl_args *a, int i, const char **out)
{
    int clear = ctl_flag(a, "clear");
    if (clear == (a->npos > i))
        return ctl_usage(c, clear ? "give a value or --clear, not both" : "give a value or --clear");
    *out = clear ? NULL : a->pos[i];
    return CTL_OK;
}

/* ---- inputs ---- */

static int read_stream(FILE *f, char **out)
{
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    while (buf) {
        len += fread(buf + len, 1, cap - len - 1, f);
        if (len < cap - 1)
            break;
        char *bigger = realloc(buf, cap * 2);
        if (!bigger)
            free(buf);
        buf = bigger;
        cap *= 2;
    }
    if (!buf)
        return ctl_other("out of memory");
    if (ferror(f)) {
        free(buf);
        return -1;
    }
    buf[len] = '\0';
    *out = buf;
    return CTL_OK;
}

int ctl_read_input(const char *path, const char *field, char **out)
{
    int is_stdin = strcmp(path, "-") == 0;
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    if (!f)
        return ctl_invalid(field, "cannot read %s: %s", path, strerror(errno));
    int rc = read_stream(f, out);
    int err = errno;
    if (!is_stdin)
        fclose(f);
    if (rc == -1)
        return ctl_invalid(field, "cannot read %s: %s", is_stdin ? "standard input" : path, strerror(err));
    return rc;
}

int ctl_read_opt_input(const ctl_ctx *c, const ctl_args *a, const char *name, char **out)
{
    const char *path = ctl_opt(a, name);
    if (!path)
        return ctl_usage(c, "--%s FILE|- is required", name);
    return ctl_read_input(path, name, out);
}

/* ---- errors ---- */

int ctl_exit_code(int igny8_rc)
{
    switch (igny8_rc) {
    case IGNY8_OK: return CTL_OK;
    case IGNY8_EINVAL: return CTL_EINVAL;
    case IGNY8_ENOTFOUND: return CTL_ENOTFOUND;
    case IGNY8_EEXISTS: return CTL_EEXISTS;
    case IGNY8_EBUSY: case IGNY8_ECORRUPT: case IGNY8_EVERSION: case IGNY8_EIO: case IGNY8_EREADONLY:
    case IGNY8_EPERM:
        return CTL_ESTORE;
    default: return CTL_EOTHER;
    }
}

int ctl_fail(int igny8_rc)
{
    const igny8_error *e = igny8_error_last();
    const char *msg = e->code == igny8_rc && e->message && *e->message ? e->message : igny8_strerror(igny8_rc);
    if (e->code == igny8_rc && e->field)
        fprintf(stderr, "igny8ctl: %s (field: %s)\n", msg, e->field);
    else
        fprintf(stderr, "igny8ctl: %s\n", msg);
    return ctl_exit_code(igny8_rc);
}

static void vreport(const char *field, const char *fmt, va_list ap)
{
    fputs("igny8ctl: ", stderr);
    vfprintf(stderr, fmt, ap);
    if (field)
        fprintf(stderr, " (field: %s)", field);
    fputc('\n', stderr);
}

int ctl_usage(const ctl_ctx *c, const char *fmt, ...)
{
    va_list ap;
    fputs("igny8ctl: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    if (c && c->cmd)
        fprintf(stderr, " (usage: igny8ctl %s%s%s%s%s; see --help)\n", c->cmd->group,
                *c->cmd->name ? " " : "", c->cmd->name, *c->cmd->args ? " " : "", c->cmd->args);
    else
        fputs(" (see igny8ctl --help)\n", stderr);
    return CTL_EUSAGE;
}

int ctl_invalid(const char *field, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(field, fmt, ap);
    va_end(ap);
    return CTL_EINVAL;
}

int ctl_other(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(NULL, fmt, ap);
    va_end(ap);
    return CTL_EOTHER;
}

/* ---- the store ---- */

int ctl_open(igny8_store **out, const char *path, const char *schema, uint32_t flags)
{
    igny8_store_options opts = IGNY8_STORE_OPTIONS_INIT;
    opts.flags = flags;
    opts.schema = schema && *schema ? schema : NULL;
    return igny8_store_open(out, path, &opts);
}
