/* igny8ctl — what goes to standard output: JSON, pretty-printed, or tables. */
#include "ctl.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static void newline_indent(FILE *f, int depth)
{
    fputc('\n', f);
    for (int i = 0; i < depth; i++)
        fputs("  ", f);
}

/* Copy a string token (p at its opening quote); returns the position after it. */
static const char *copy_string(FILE *f, const char *p)
{
    fputc(*p++, f);
    while (*p && *p != '"') {
        if (*p == '\\' && p[1])
            fputc(*p++, f);
        fputc(*p++, f);
    }
    if (*p)
        fputc(*p++, f);
    return p;
}

void ctl_json_pretty(FILE *f, const char *json)
{
    int depth = 0;
    for (const char *p = json; *p;) {
        char ch = *p;
        if (ch == '"') {
            p = copy_string(f, p);
            continue;
        }
        p++;
        switch (ch) {
        case ' ': case '\t': case '\n': case '\r': break;
        case '{': case '[':
            fputc(ch, f);
            while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
                p++;
            if (*p == '}' || *p == ']')
                fputc(*p++, f);
            else
                newline_indent(f, ++depth);
            break;
        case '}': case ']': newline_indent(f, --depth); fputc(ch, f); break;
        case ',': fputc(ch, f); newline_indent(f, depth); break;
        case ':': fputs(": ", f); break;
        default: fputc(ch, f);
        }
    }
    fputc('\n', f);
}

cJSON *ctl_json_i64(int64_t v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%" PRId64, v);
    return cJSON_CreateRaw(buf);
}

int ctl_emit(const ctl_ctx *c, const char *json)
{
    if (c->format == CTL_FORMAT_TABLE) {
        cJSON *root = cJSON_Parse(json);
        if (root) {
            ctl_table_print(stdout, root, c->cmd ? c->cmd->columns : NULL);
            cJSON_Delete(root);
            goto flush;
        }
    }
    ctl_json_pretty(stdout, json);
flush:
    if (fflush(stdout) != 0 || ferror(stdout))
        return ctl_other("cannot write to standard output");
    return CTL_OK;
}

int ctl_emit_owned(const ctl_ctx *c, char *json)
{
    int rc = ctl_emit(c, json);
    igny8_free(json);
    return rc;
}

int ctl_emit_cjson(const ctl_ctx *c, cJSON *v)
{
    char *json = v ? cJSON_PrintUnformatted(v) : NULL;
    cJSON_Delete(v);
    if (!json)
        return ctl_other("out of memory");
    int rc = ctl_emit(c, json);
    cJSON_free(json);
    return rc;
}

int ctl_emit_text(const ctl_ctx *c, cJSON *extra, const char *key, const char *text)
{
    if (c->format == CTL_FORMAT_TABLE) {
        cJSON_Delete(extra);
        fputs(text, stdout);
        if (*text && text[strlen(text) - 1] != '\n')
            fputc('\n', stdout);
        if (fflush(stdout) != 0 || ferror(stdout))
            return ctl_other("cannot write to standard output");
        return CTL_OK;
    }
    cJSON *o = extra ? extra : cJSON_CreateObject();
    if (o && !cJSON_AddStringToObject(o, key, text)) {
        cJSON_Delete(o);
        o = NULL;
    }
    return ctl_emit_cjson(c, o);
}
