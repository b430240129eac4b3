/* The public headers compile alone under -std=c11 -pedantic -Werror, and every _INIT
 * macro initialises its struct completely. */
#include "igny8.h"

int main(void)
{
    igny8_store_options so = IGNY8_STORE_OPTIONS_INIT;
    igny8_model_filter mf = IGNY8_MODEL_FILTER_INIT;
    igny8_integration_update iu = IGNY8_INTEGRATION_UPDATE_INIT;
    igny8_audit_query aq = IGNY8_AUDIT_QUERY_INIT;
    igny8_resolution_view rv = IGNY8_RESOLUTION_VIEW_INIT;
    int major = 0;
    igny8_version(&major, NULL, NULL);
    return (so.version && mf.version && iu.version && aq.version && rv.version && major == IGNY8_VERSION_MAJOR &&
            IGNY8_VERSION_CHECK(1, 0, 0)) ? 0 : 1;
}
