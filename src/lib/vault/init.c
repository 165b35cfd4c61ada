/* init.c — library start-up. */
#include <sodium.h>

#include "constat/constat.h"

constat_status constat_init(void)
{
    return sodium_init() < 0 ? CONSTAT_EINTERNAL : CONSTAT_OK;
}
