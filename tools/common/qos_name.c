/*
 * qos_name.c - preset names to qosspec_t values.
 */
#include "qos_name.h"

#include <assert.h>
#include <errno.h>
#include <string.h>

int qos_spec_from_name(const char *name, qosspec_t *qs)
{
    static const struct {
        const char *name;
        const qosspec_t *spec;
    } presets[] = {
        {"raw", &qos_raw},     {"best", &qos_best_effort}, {"video", &qos_video},
        {"voice", &qos_voice}, {"data", &qos_data},
    };

    assert(qs != NULL);
    if (name == NULL)
        return -EINVAL;
    for (size_t i = 0; i < sizeof(presets) / sizeof(presets[0]); i++) {
        if (strcmp(name, presets[i].name) == 0) {
            *qs = *presets[i].spec;
            return 0;
        }
    }
    return -EINVAL;
}
