/* SPDX-License-Identifier: BSD-3-Clause */
#include "sim_impl.h"

void qcsim_event(struct qcsim *sim, const char *name, json_object *obj)
{
	json_object *ev = json_object_new_object();

	json_object_object_add(ev, "event", json_object_new_string(name));
	if (obj) {
		json_object_object_foreach(obj, key, val)
		{
			json_object_object_add(ev, key, json_object_get(val));
		}
		json_object_put(obj);
	}
	qc_log(sim->ctx, QC_LOG_INFO, "event %s", json_object_to_json_string_ext(ev, JSON_C_TO_STRING_PLAIN));
	if (sim->events) {
		fprintf(sim->events, "%s\n", json_object_to_json_string_ext(ev, JSON_C_TO_STRING_PLAIN));
		fflush(sim->events);
	}
	json_object_put(ev);
}
