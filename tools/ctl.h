/*
 * igny8ctl — the operations command of libigny8settings: what the command files share.
 *
 * A command is a row of a table (ctl_command): its group and name, usage, help, the
 * options it accepts and the function that runs it. igny8ctl.c parses the command line,
 * finds the row, checks the arguments against it, opens the store and calls the function;
 * the function returns the process's exit code (CTL_*).
 */
#ifndef IGNY8CTL_CTL_H
#define IGNY8CTL_CTL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cjson/cJSON.h>
#include <igny8.h>

/* Exit codes: distinct per class of failure, so scripts can tell them apart. */
enum {
    CTL_OK = 0,
    CTL_EUSAGE = 2,       /* bad command line: unknown command or option, missing argument */
    CTL_EINVAL = 3,       /* invalid input (IGNY8_EINVAL, a bad number, an unreadable input file) */
    CTL_ENOTFOUND = 4,    /* IGNY8_ENOTFOUND */
    CTL_EEXISTS = 5,      /* IGNY8_EEXISTS */
    CTL_ESTORE = 6,       /* the store is busy, corrupt, newer, unreadable or read-only */
    CTL_EOTHER = 7,       /* anything else (internal error, out of memory, cannot write output) */
    CTL_ETESTFAILED = 8   /* a connection test ran and failed (result printed), or health --check */
};

enum { CTL_FORMAT_JSON = 0, CTL_FORMAT_TABLE = 1 };

/* What a command needs from the store. */
enum {
    CTL_STORE_NONE = 0,   /* no store (e.g. checking a template) */
    CTL_STORE_OPEN = 1,   /* an existing store; a missing file is an error */
    CTL_STORE_CREATE = 2  /* create the file when missing (init) */
};

/* One --option of the command line, as given (value NULL for a flag). */
typedef struct ctl_opt_value {
    const char *name;
    const char *value;
} ctl_opt_value;

/* A command's arguments: positionals in order, options in order (the last one wins). */
typedef struct ctl_args {
    int npos;
    char **pos;
    int nopt;
    ctl_opt_value *opt;
} ctl_args;

struct ctl_command;

/* What every command gets: the global options and the open store. */
typedef struct ctl_ctx {
    const char *db;                 /* --db or IGNY8_DB: a file or a postgresql:// URL */
    const char *schema;             /* --schema or IGNY8_SCHEMA: PostgreSQL's schema (NULL: the default) */
    int format;                     /* CTL_FORMAT_* */
    const char *actor;              /* --actor, IGNY8_ACTOR or "$USER@igny8ctl" */
    uint32_t store_flags;           /* IGNY8_STORE_* from global options (--allow-http), for every store opened */
    igny8_store *st;                /* open when the command asked for a store */
    const struct ctl_command *cmd;  /* the command being run */
} ctl_ctx;

typedef int (*ctl_run_fn)(ctl_ctx *c, const ctl_args *a);

/* A row of the command registry. Tables end with a row whose group is NULL. */
typedef struct ctl_command {
    const char *group;    /* first word: "models"; a group that is itself a command has name "" */
    const char *name;     /* "list", or two words: "integration get" */
    const char *args;     /* usage after the command: "NAME --json FILE|-" */
    const char *summary;  /* one line */
    const char *options;  /* accepted options: "provider=,type=,active,inactive" (= takes a value) */
    const char *help;     /* option and argument descriptions, "ITEM\tdescription\n" per line */
    int min_pos, max_pos; /* positional arguments; max_pos -1: any number */
    int store;            /* CTL_STORE_* */
    ctl_run_fn run;
    const char *columns;  /* columns of --format table, "a,b,c"; NULL: every field */
} ctl_command;

/* The command tables, one per area (cmd_*.c). */
extern const ctl_command ctl_store_commands[];
extern const ctl_command ctl_model_commands[];
extern const ctl_command ctl_account_commands[];
extern const ctl_command ctl_prompt_commands[];
extern const ctl_command ctl_library_commands[];
extern const ctl_command ctl_access_commands[];

/* The columns of a list of models in --format table (models list, access account models). */
#define CTL_MODEL_COLUMNS "model_name,provider,model_type,is_active,is_default,input_cost_per_1k,output_cost_per_1k," \
    "cost_per_image,max_output_tokens"

/* Open a store for a command: path and schema as given, flags IGNY8_STORE_*. */
int ctl_open(igny8_store **out, const char *path, const char *schema, uint32_t flags);

/* ---- arguments (util.c) ---- */

/* The value of --name (the last one given), or NULL. */
const char *ctl_opt(const ctl_args *a, const char *name);
/* Whether --name was given. */
int ctl_flag(const ctl_args *a, const char *name);

/* Parse a whole decimal integer ('-'? digits: no white space, no '+'); CTL_EINVAL naming
 * `field` otherwise. */
int ctl_parse_i64(const char *s, const char *field, int64_t *out);
int ctl_parse_int(const char *s, const char *field, int *out);
/* An id (an account, a library item) in its one spelling: digits only, 1..INT64_MAX, no
 * sign, white space or leading zero, so one id is never two strings in a script or a log
 * and "042" is not mistaken for octal. CTL_EINVAL otherwise: the message names `label`
 * (the argument as the usage writes it: "ACCOUNT", "--account"), the error `field`. */
int ctl_parse_id(const char *s, const char *label, const char *field, int64_t *out);
/* The rule of an id, for messages. */
#define CTL_ID_RULE "digits only, 1..9223372036854775807, without a sign, space or leading zero"
/* The same test without a message (for arguments that must never be echoed): 0 and *out
 * set when s is an id, -1 otherwise. */
int ctl_id_of(const char *s, int64_t *out);
/* Split "a,b,c" at every comma (an empty item stays: "7,,8" is three items, "" one):
 * *copy is the malloc'ed text the *count items point into, *items a malloc'ed array;
 * free both. */
int ctl_split_list(const char *s, char **copy, char ***items, size_t *count);
/* "1,2,3" of ids (ctl_parse_id each) into a malloc'ed array. */
int ctl_parse_id_list(const char *s, const char *label, const char *field, int64_t **out, size_t *count);
/* A decimal number written plainly (digits, optionally '.' and digits: "0.005"; no sign,
 * exponent, white space, inf or nan) from 0 to max; CTL_EINVAL otherwise, the message
 * naming `label`, the error `field`. */
int ctl_parse_decimal(const char *s, const char *label, const char *field, double max, double *out);
/* "text" / "image" into IGNY8_MODEL_*. */
int ctl_parse_model_type(const char *s, const char *field, int *out);
/* "on" / "off" (also true/false, 1/0, yes/no) into 1 / 0. */
int ctl_parse_onoff(const char *s, const char *field, int *out);
/* "author-profiles" / "strategies" (and singular, underscore forms) into IGNY8_LIBRARY_*. */
int ctl_parse_kind(const char *s, int *out);
/* --active / --inactive into IGNY8_FILTER_* (0: neither); CTL_EUSAGE when both. */
int ctl_active_filter(const ctl_ctx *c, const ctl_args *a, int *out);

/* --provider P, --type text|image and --active / --inactive (when the command takes them)
 * into a filter initialised by the caller. */
int ctl_model_filter(const ctl_ctx *c, const ctl_args *a, igny8_model_filter *out);
/* The value a choice is set to: the positional at index i, or NULL with --clear (exactly
 * one of them; CTL_EUSAGE otherwise). */
int ctl_value_or_clear(const ctl_ctx *c, const ctl_args *a, int i, const char **out);

/* Read a whole input: "-" is standard input, anything else a file. *out: malloc'ed,
 * NUL-terminated. CTL_EINVAL naming `field` when it cannot be read. */
int ctl_read_input(const char *path, const char *field, char **out);
/* The value of a required --name FILE|- option, read. */
int ctl_read_opt_input(const ctl_ctx *c, const ctl_args *a, const char *name, char **out);

/* ---- errors (util.c): each prints one line on stderr and returns the exit code ---- */

/* A failed library call: "igny8ctl: <message> (field: <field>)"; the code mapped to CTL_*. */
int ctl_fail(int igny8_rc);
/* A bad command line; the usage of the current command follows the message. */
int ctl_usage(const ctl_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* An invalid input found by the tool itself. */
int ctl_invalid(const char *field, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Out of memory, or another failure of the tool itself. */
int ctl_other(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Map a library code to an exit code. */
int ctl_exit_code(int igny8_rc);

/* Evaluate a library call; on failure report it and return its exit code. */
#define CTL_TRY(expr) do { int ctl_rc_ = (expr); if (ctl_rc_ != IGNY8_OK) return ctl_fail(ctl_rc_); } while (0)

/* ---- output (output.c, table.c) ---- */

/* Print a JSON document on stdout: pretty-printed, or as tables with --format table. */
int ctl_emit(const ctl_ctx *c, const char *json);
/* ctl_emit() of a string the library handed over, then igny8_free() it. */
int ctl_emit_owned(const ctl_ctx *c, char *json);
/* ctl_emit() of a cJSON value the tool built, then delete it (NULL: out of memory). */
int ctl_emit_cjson(const ctl_ctx *c, cJSON *v);
/* A text result (a diff, a rendered prompt): JSON {"<key>": text, ...extra} by default,
 * the text itself with --format table. extra may be NULL; it is consumed. */
int ctl_emit_text(const ctl_ctx *c, cJSON *extra, const char *key, const char *text);

/* Write JSON pretty-printed (2-space indent) token by token: numbers and strings are kept
 * exactly as the library wrote them (64-bit ids stay exact). */
void ctl_json_pretty(FILE *f, const char *json);
/* Print a parsed document as tables (arrays of objects) and key: value lines (objects). */
void ctl_table_print(FILE *f, const cJSON *root, const char *columns);

/* A cJSON number that keeps a 64-bit integer exact (a raw node). */
cJSON *ctl_json_i64(int64_t v);

#endif
