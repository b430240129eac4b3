/* Templates (the named-field subset of Python's str.format) and line diffs: pure text
 * functions shared by the prompt area. */
#ifndef IGNY8__TEMPLATE_H
#define IGNY8__TEMPLATE_H

#include "igny8/prompt.h"

/* Check a template; *variables (may be NULL) receives its variables as a JSON array text
 * in our allocator. IGNY8_EINVAL naming `field` on a malformed template. */
int igny8__template_check(const char *text, const char *field, char **variables);

/* Render with variables given as a JSON object text (NULL: none). */
int igny8__template_render(const char *text, const char *variables_json, char **out);

/* Unified diff; "" when equal. */
int igny8__text_diff(const char *old_text, const char *new_text, const char *old_label, const char *new_label,
                     char **out);

#endif
