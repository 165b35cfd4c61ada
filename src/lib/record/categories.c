/* categories.c — reading a record's categories (categories.h). */
#include <string.h>

#include "constat/record/categories.h"

int constat_record_has_category(const json_t *record, const char *category)
{
    const json_t *cats = json_object_get(record, "categories");
    for (size_t i = 0; category && i < json_array_size(cats); i++) {
        const char *c = json_string_value(json_array_get(cats, i));
        if (c && strcmp(c, category) == 0)
            return 1;
    }
    return 0;
}
