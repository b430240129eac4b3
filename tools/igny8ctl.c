/*
 * igny8ctl — the operations command of libigny8settings.
 *
 *   igny8ctl [--db PATH|URL] [--schema NAME] [--format json|table] [--actor NAME] [--allow-http] <group> [<command>] [args] [--options]
 *
 * This file parses the command line, finds the command in the registry (the ctl_*_commands
 * tables of the cmd_*.c files), checks its arguments, opens the store and runs it, and
 * prints the help of the tool, of a group and of a command.
 */
#include "ctl.h"

#include <stdlib.h>
#include <string.h>

/* The groups, in the order --help lists them. */
static const struct {
    const char *name;
    const char *summary;
} groups[] = {
    { "init", "Create the store (or migrate it) and print its schema version" },
    { "defaults", "Load the shipped defaults into an empty store" },
    { "models", "The model registry: list, add, update, (de)activate, defaults, cost" },
    { "global", "The platform's integration settings" },
    { "keys", "API keys of the platform and of accounts (from stdin or the environment, never argv)" },
    { "account", "An account's integration settings, provider and model choices" },
    { "access", "Plans: access groups of models; an account's group, own additions and removals, cost ceilings" },
    { "fallbacks", "Fallback chains: the models to try, in order, when an operation's model cannot be used" },
    { "operations", "The operations and the model type each needs" },
    { "resolve", "Which model, parameters and key an account uses for an operation, and its fallbacks" },
    { "prompts", "Prompt templates: versions, publishing, diffs, rendering, accounts' customisations" },
    { "library", "Author profiles and strategies, and the accounts' copies of them" },
    { "modules", "Module toggles of the platform and of accounts" },
    { "audit", "The audit log of every write" },
    { "export", "Write the whole store as one JSON document" },
    { "import", "Load a document written by export" },
    { "health", "The store's health: schema, integrity, keys and default models" },
    { "test-connection", "Test an integration's API with its key (one real request)" },
    { "connection-status", "The last connection test of every integration and key owner" },
    { "store", "Copy a whole store to another (SQLite to PostgreSQL and back)" },
};
#define NGROUPS (sizeof groups / sizeof groups[0])

static const ctl_command *const tables[] = {
    ctl_store_commands, ctl_model_commands, ctl_account_commands, ctl_access_commands, ctl_prompt_commands,
    ctl_library_commands,
};
#define NTABLES (sizeof tables / sizeof tables[0])

static const char global_help[] =
    "--db PATH|URL\tthe store: a SQLite file, or a postgresql:// URL (default: $IGNY8_DB)\n"
    "--schema NAME\tPostgreSQL: the schema the store lives in (default: $IGNY8_SCHEMA, else igny8settings)\n"
    "--format json|table\tJSON on stdout (default), or tables and key: value lines\n"
    "--actor NAME\twho makes the change, for the audit log (default: $IGNY8_ACTOR, else $USER@igny8ctl)\n"
    "--allow-http\tlet a base_url be plain http:// to any host (default: https://, or http:// to loopback only)\n"
    "-h, --help\tthe help of the tool, of a group or of a command\n"
    "--version\tthe versions of igny8ctl and of the library\n";

static const char exit_help[] =
    "0\tsuccess\n"
    "2\tusage error (unknown command or option, missing argument)\n"
    "3\tinvalid input (a bad value, file or JSON document; the field is named)\n"
    "4\tnot found\n"
    "5\tconflict: exists already\n"
    "6\tstore error: busy, corrupt, newer version, cannot open, read-only, master key missing or wrong\n"
    "7\tany other failure\n"
    "8\ta connection test ran and failed (the result is printed); health --check found a problem\n";

/* ---- the registry ---- */

static int group_index(const char *name)
{
    for (size_t i = 0; i < NGROUPS; i++)
        if (strcmp(groups[i].name, name) == 0)
            return (int)i;
    return -1;
}

/* The command of a group with that name ("" for a group that is itself a command). */
static const ctl_command *find_command(const char *group, const char *name)
{
    for (size_t t = 0; t < NTABLES; t++)
        for (const ctl_command *c = tables[t]; c->group; c++)
            if (strcmp(c->group, group) == 0 && strcmp(c->name, name) == 0)
                return c;
    return NULL;
}

/* ---- help ---- */

static void print_items(FILE *f, const char *title, const char *items)
{
    size_t w = 0;
    for (const char *p = items; *p;) {
        const char *tab = strchr(p, '\t'), *nl = strchr(p, '\n');
        if ((size_t)(tab - p) > w)
            w = (size_t)(tab - p);
        p = nl + 1;
    }
    fprintf(f, "\n%s:\n", title);
    for (const char *p = items; *p;) {
        const char *tab = strchr(p, '\t'), *nl = strchr(p, '\n');
        fprintf(f, "  %-*.*s  %.*s\n", (int)w, (int)(tab - p), p, (int)(nl - tab - 1), tab + 1);
        p = nl + 1;
    }
}

static void help_command(const ctl_command *c)
{
    printf("usage: igny8ctl %s%s%s%s%s\n\n%s.\n", c->group, *c->name ? " " : "", c->name,
           *c->args ? " " : "", c->args, c->summary);
    if (c->help && *c->help)
        print_items(stdout, "arguments and options", c->help);
    printf("\nglobal options: --db PATH|URL, --schema NAME, --format json|table, --actor NAME, --allow-http "
           "(see igny8ctl --help)\n");
}

static void help_group(int g)
{
    char items[8192] = "";
    size_t len = 0;
    for (size_t t = 0; t < NTABLES; t++)
        for (const ctl_command *c = tables[t]; c->group; c++)
            if (strcmp(c->group, groups[g].name) == 0 && len < sizeof items)
                len += (size_t)snprintf(items + len, sizeof items - len, "%s\t%s\n", c->name, c->summary);
    printf("usage: igny8ctl %s <command> [args] [--options]\n\n%s.\n", groups[g].name, groups[g].summary);
    print_items(stdout, "commands", items);
    printf("\nRun 'igny8ctl %s <command> --help' for the arguments and options of a command.\n",
           groups[g].name);
}

static void help_tool(void)
{
    char items[4096] = "";
    size_t len = 0;
    for (size_t g = 0; g < NGROUPS; g++)
        len += (size_t)snprintf(items + len, sizeof items - len, "%s\t%s\n", groups[g].name, groups[g].summary);
    printf("usage: igny8ctl [--db PATH|URL] [--schema NAME] [--format json|table] [--actor NAME] [--allow-http] <group> [<command>] [args] [--options]\n\n"
           "Operate a libigny8settings store: models, settings, keys, plans and fallbacks, prompts,\n"
           "library, modules, audit.\n"
           "Results are JSON on stdout; errors are one line on stderr and a distinct exit code.\n");
    print_items(stdout, "global options", global_help);
    print_items(stdout, "groups", items);
    print_items(stdout, "exit codes", exit_help);
    printf("\nenvironment: IGNY8_DB (the store), IGNY8_SCHEMA (its PostgreSQL schema), IGNY8_ACTOR (the actor).\n"
           "API keys are read from standard input or an environment variable (keys set), never from arguments.\n"
           "\nexamples:\n"
           "  igny8ctl --db /var/lib/igny8/settings.db init\n"
           "  igny8ctl defaults load\n"
           "  igny8ctl models list --type text --format table\n"
           "  printf '%%s\\n' \"$OPENAI_KEY\" | igny8ctl keys set openai\n"
           "  igny8ctl resolve 42 content_generation --trace\n"
           "\nRun 'igny8ctl <group> --help' for the commands of a group.\n");
}

/* ---- the command line ---- */

/* The global options, in the spec form of ctl_command.options. */
#define GLOBAL_OPTIONS "db=,schema=,format=,actor=,allow-http"

/* The spec entry of an option: "name" (flag) or "name=" (takes a value); 0 if absent,
 * 1 for a flag, 2 for an option with a value. */
static int spec_lookup(const char *spec, const char *name, size_t len)
{
    for (const char *p = spec; p && *p;) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        int value = n > 0 && p[n - 1] == '=';
        if (n - (size_t)value == len && strncmp(p, name, len) == 0)
            return 1 + value;
        p = end ? end + 1 : NULL;
    }
    return 0;
}

static int is_option(const char *arg)
{
    return arg[0] == '-' && arg[1] && !(arg[1] >= '0' && arg[1] <= '9');
}

/* Split one option argument into name and inline value ("--name=value"). */
static void split_option(const char *arg, const char **name, size_t *len, const char **value)
{
    *name = arg + (arg[1] == '-' ? 2 : 1);
    const char *eq = strchr(*name, '=');
    *len = eq ? (size_t)(eq - *name) : strlen(*name);
    *value = eq ? eq + 1 : NULL;
}

/* Apply a global option (db, schema, format, actor, allow-http); 0 if name is not one. */
static int set_global(ctl_ctx *c, const char *name, size_t len, const char *value)
{
    if (len == 10 && strncmp(name, "allow-http", 10) == 0)
        c->store_flags |= IGNY8_STORE_ALLOW_HTTP;
    else if (len == 2 && strncmp(name, "db", 2) == 0)
        c->db = value;
    else if (len == 6 && strncmp(name, "schema", 6) == 0)
        c->schema = value;
    else if (len == 5 && strncmp(name, "actor", 5) == 0)
        c->actor = value;
    else if (len == 6 && strncmp(name, "format", 6) == 0)
        c->format = strcmp(value, "table") == 0 ? CTL_FORMAT_TABLE : strcmp(value, "json") == 0 ? CTL_FORMAT_JSON : -1;
    else
        return 0;
    return 1;
}

/* Parse the arguments after the command into a. Command options win over global ones (audit --actor). */
static int parse_args(ctl_ctx *c, int argc, char **argv, int i, ctl_args *a, int *help)
{
    int only_pos = 0;
    for (; i < argc; i++) {
        const char *arg = argv[i], *name, *value;
        size_t len;
        if (only_pos || !is_option(arg)) {
            a->pos[a->npos++] = argv[i];
            continue;
        }
        if (strcmp(arg, "--") == 0) {
            only_pos = 1;
            continue;
        }
        split_option(arg, &name, &len, &value);
        if ((len == 4 && strncmp(name, "help", 4) == 0) || (len == 1 && *name == 'h')) {
            *help = 1;
            continue;
        }
        int kind = spec_lookup(c->cmd->options, name, len);
        int global = kind ? 0 : spec_lookup(GLOBAL_OPTIONS, name, len);
        if (!kind && !global)
            return ctl_usage(c, "unknown option %.*s%.*s", arg[1] == '-' ? 2 : 1, arg, (int)len, name);
        if ((kind == 2 || global == 2) && !value && i + 1 >= argc)
            return ctl_usage(c, "option --%.*s needs a value", (int)len, name);
        if ((kind == 2 || global == 2) && !value)
            value = argv[++i];
        if ((kind == 1 || global == 1) && value)
            return ctl_usage(c, "option --%.*s takes no value", (int)len, name);
        if (global) {
            set_global(c, name, len, value);
            continue;
        }
        ((char *)name)[len] = '\0';  /* argv is ours to edit: cut "--name=value" at '=' */
        a->opt[a->nopt++] = (ctl_opt_value){ name, value };
    }
    return CTL_OK;
}

/* Global options before the group; *i ends at the group word. */
static int parse_globals(ctl_ctx *c, int argc, char **argv, int *i, int *help, int *version)
{
    for (; *i < argc && is_option(argv[*i]); (*i)++) {
        const char *name, *value;
        size_t len;
        split_option(argv[*i], &name, &len, &value);
        if ((len == 4 && strncmp(name, "help", 4) == 0) || (len == 1 && *name == 'h')) {
            *help = 1;
            continue;
        }
        if (len == 7 && strncmp(name, "version", 7) == 0) {
            *version = 1;
            continue;
        }
        int kind = spec_lookup(GLOBAL_OPTIONS, name, len);
        if (!kind)
            return ctl_usage(NULL, "unknown option %.*s", (int)(name - argv[*i] + (ptrdiff_t)len), argv[*i]);
        if (kind == 1 && value)
            return ctl_usage(NULL, "option --%.*s takes no value", (int)len, name);
        if (kind == 2 && !value && *i + 1 >= argc)
            return ctl_usage(NULL, "option --%.*s needs a value", (int)len, name);
        set_global(c, name, len, kind == 1 || value ? value : argv[++*i]);
    }
    return CTL_OK;
}

/* ---- running a command ---- */

static const char *default_actor(void)
{
    static char buf[256];
    const char *actor = getenv("IGNY8_ACTOR"), *user = getenv("USER");
    if (actor && *actor)
        return actor;
    snprintf(buf, sizeof buf, "%s@igny8ctl", user && *user ? user : "unknown");
    return buf;
}

static int open_store(ctl_ctx *c)
{
    if (c->cmd->store == CTL_STORE_NONE)
        return CTL_OK;
    if (!c->db || !*c->db)
        return ctl_usage(c, "no store given: pass --db PATH or set IGNY8_DB");
    CTL_TRY(ctl_open(&c->st, c->db, c->schema,
                     c->store_flags | (c->cmd->store == CTL_STORE_OPEN ? IGNY8_STORE_NOCREATE : 0)));
    return CTL_OK;
}

static int run_command(ctl_ctx *c, int argc, char **argv, int i)
{
    ctl_args a = { 0, calloc((size_t)argc + 1, sizeof(char *)), 0, calloc((size_t)argc + 1, sizeof(ctl_opt_value)) };
    int help = 0, rc = a.pos && a.opt ? CTL_OK : ctl_other("out of memory");
    if (rc == CTL_OK)
        rc = parse_args(c, argc, argv, i, &a, &help);
    if (rc == CTL_OK && help)
        help_command(c->cmd);
    else if (rc == CTL_OK && c->format < 0)
        rc = ctl_usage(c, "--format is json or table");
    else if (rc == CTL_OK && a.npos < c->cmd->min_pos)
        rc = ctl_usage(c, "missing argument");
    else if (rc == CTL_OK && c->cmd->max_pos >= 0 && a.npos > c->cmd->max_pos)
        rc = ctl_usage(c, "too many arguments (at most %d)", c->cmd->max_pos);
    else if (rc == CTL_OK && (rc = open_store(c)) == CTL_OK)
        rc = c->cmd->run(c, &a);
    igny8_store_close(c->st);
    free(a.pos);
    free(a.opt);
    return rc;
}

/* Find the command named at argv[*i] (group, then one or two command words); -1 after
 * printing a group's help. */
static int select_command(ctl_ctx *c, int argc, char **argv, int *i)
{
    int g = group_index(argv[*i]);
    if (g < 0)
        return ctl_usage(NULL, "unknown command '%s'", argv[*i]);
    const char *group = argv[(*i)++];
    const char *w1 = *i < argc && !is_option(argv[*i]) ? argv[*i] : NULL;
    const char *w2 = w1 && *i + 1 < argc && !is_option(argv[*i + 1]) ? argv[*i + 1] : NULL;
    char two[256];
    if ((c->cmd = find_command(group, "")) != NULL)
        return CTL_OK;  /* a group that is itself a command: the words are its arguments */
    if (w2 && (size_t)snprintf(two, sizeof two, "%s %s", w1, w2) < sizeof two
        && (c->cmd = find_command(group, two)) != NULL) {
        *i += 2;
        return CTL_OK;
    }
    if (w1 && (c->cmd = find_command(group, w1)) != NULL) {
        *i += 1;
        return CTL_OK;
    }
    if (*i < argc && (strcmp(argv[*i], "--help") == 0 || strcmp(argv[*i], "-h") == 0)) {
        help_group(g);
        return -1;
    }
    if (!w1)
        fprintf(stderr, "igny8ctl: missing command (see igny8ctl %s --help)\n", group);
    else
        fprintf(stderr, "igny8ctl: unknown command '%s %s' (see igny8ctl %s --help)\n", group, w1, group);
    return CTL_EUSAGE;
}

int main(int argc, char **argv)
{
    ctl_ctx c = { getenv("IGNY8_DB"), getenv("IGNY8_SCHEMA"), CTL_FORMAT_JSON, NULL, 0, NULL, NULL };
    int i = 1, help = 0, version = 0;
    int rc = parse_globals(&c, argc, argv, &i, &help, &version);
    if (rc != CTL_OK)
        return rc;
    if (version) {
        printf("igny8ctl %s (libigny8settings %s)\n", IGNY8CTL_VERSION, igny8_version(NULL, NULL, NULL));
        return CTL_OK;
    }
    if (i < argc && strcmp(argv[i], "help") == 0)
        help = 1, i++;
    if (i >= argc) {
        if (help)
            return help_tool(), CTL_OK;
        return ctl_usage(NULL, "missing command");
    }
    if (help && i + 1 >= argc && group_index(argv[i]) >= 0 && !find_command(argv[i], ""))
        return help_group(group_index(argv[i])), CTL_OK;
    rc = select_command(&c, argc, argv, &i);
    if (rc != CTL_OK)
        return rc < 0 ? CTL_OK : rc;
    if (help) {
        help_command(c.cmd);
        return CTL_OK;
    }
    if (!c.actor)
        c.actor = default_actor();
    return run_command(&c, argc, argv, i);
}
