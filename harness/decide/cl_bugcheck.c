/*
 * cl_bugcheck.c - GUEST_PANICKED hyper-v decoding and the stop-code table
 * (names as published in Microsoft's bug check code reference).
 */
#include "cl_bugcheck.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

static const struct {
	uint64_t code;
	const char *name;
} stop_codes[] = {
	{ 0x0000000A, "IRQL_NOT_LESS_OR_EQUAL" },
	{ 0x00000019, "BAD_POOL_HEADER" },
	{ 0x0000001A, "MEMORY_MANAGEMENT" },
	{ 0x0000001E, "KMODE_EXCEPTION_NOT_HANDLED" },
	{ 0x00000024, "NTFS_FILE_SYSTEM" },
	{ 0x0000003B, "SYSTEM_SERVICE_EXCEPTION" },
	{ 0x0000003D, "INTERRUPT_EXCEPTION_NOT_HANDLED" },
	{ 0x0000004E, "PFN_LIST_CORRUPT" },
	{ 0x00000050, "PAGE_FAULT_IN_NONPAGED_AREA" },
	{ 0x00000077, "KERNEL_STACK_INPAGE_ERROR" },
	{ 0x0000007A, "KERNEL_DATA_INPAGE_ERROR" },
	{ 0x0000007B, "INACCESSIBLE_BOOT_DEVICE" },
	{ 0x0000007E, "SYSTEM_THREAD_EXCEPTION_NOT_HANDLED" },
	{ 0x0000007F, "UNEXPECTED_KERNEL_MODE_TRAP" },
	{ 0x0000008E, "KERNEL_MODE_EXCEPTION_NOT_HANDLED" },
	{ 0x0000009F, "DRIVER_POWER_STATE_FAILURE" },
	{ 0x000000BE, "ATTEMPTED_WRITE_TO_READONLY_MEMORY" },
	{ 0x000000C1, "SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION" },
	{ 0x000000C2, "BAD_POOL_CALLER" },
	{ 0x000000C4, "DRIVER_VERIFIER_DETECTED_VIOLATION" },
	{ 0x000000C5, "DRIVER_CORRUPTED_EXPOOL" },
	{ 0x000000D1, "DRIVER_IRQL_NOT_LESS_OR_EQUAL" },
	{ 0x000000D5, "DRIVER_PAGE_FAULT_IN_FREED_SPECIAL_POOL" },
	{ 0x000000D6, "DRIVER_PAGE_FAULT_BEYOND_END_OF_ALLOCATION" },
	{ 0x000000E2, "MANUALLY_INITIATED_CRASH" },
	{ 0x000000EF, "CRITICAL_PROCESS_DIED" },
	{ 0x000000F4, "CRITICAL_OBJECT_TERMINATION" },
	{ 0x000000FC, "ATTEMPTED_EXECUTE_OF_NOEXECUTE_MEMORY" },
	{ 0x00000101, "CLOCK_WATCHDOG_TIMEOUT" },
	{ 0x00000109, "CRITICAL_STRUCTURE_CORRUPTION" },
	{ 0x00000124, "WHEA_UNCORRECTABLE_ERROR" },
	{ 0x00000133, "DPC_WATCHDOG_VIOLATION" },
	{ 0x00000139, "KERNEL_SECURITY_CHECK_FAILURE" },
	{ 0x0000013A, "KERNEL_MODE_HEAP_CORRUPTION" },
	{ 0x00000154, "UNEXPECTED_STORE_EXCEPTION" },
	{ 0x000001C7, "STORE_DATA_STRUCTURE_CORRUPTION" },
	{ 0x1000007E, "SYSTEM_THREAD_EXCEPTION_NOT_HANDLED_M" },
	{ 0x1000008E, "KERNEL_MODE_EXCEPTION_NOT_HANDLED_M" },
	{ 0xC000021A, "WINLOGON_FATAL_ERROR" },
};

void cl_bugcheck_describe(struct cl_bugcheck *out)
{
	size_t i;
	const char *name = "BUGCHECK";

	for (i = 0; i < sizeof(stop_codes) / sizeof(stop_codes[0]); i++)
		if (stop_codes[i].code == out->code)
			name = stop_codes[i].name;
	snprintf(out->name, sizeof(out->name), "%s", name);
	snprintf(out->title, sizeof(out->title), "%s (0x%llX)", name,
		 (unsigned long long)out->code);
}

/* QEMU sends the args as JSON integers (uint64 may arrive as negative int64). */
static int get_u64(json_t *info, const char *key, uint64_t *v)
{
	json_t *j = json_object_get(info, key);

	if (!json_is_integer(j))
		return -1;
	*v = (uint64_t)json_integer_value(j);
	return 0;
}

int cl_bugcheck_from_qmp(struct cl_bugcheck *out, const char *details_json)
{
	json_t *root, *info, *type;
	int rc = -1, i;

	memset(out, 0, sizeof(*out));
	if (!details_json)
		return -1;
	root = json_loads(details_json, JSON_REJECT_DUPLICATES, NULL);
	if (!root)
		return -1;
	/* accept both the event's data and the whole event {"event":..,"data":..} */
	if (json_object_get(root, "data"))
		info = json_object_get(json_object_get(root, "data"), "info");
	else
		info = json_object_get(root, "info");
	type = json_object_get(info, "type");
	if (json_is_string(type) && !strcmp(json_string_value(type), "hyper-v") &&
	    get_u64(info, "arg1", &out->code) == 0) {
		rc = 0;
		for (i = 0; i < 4 && rc == 0; i++) {
			char key[16];

			snprintf(key, sizeof(key), "arg%d", i + 2);
			rc = get_u64(info, key, &out->params[i]);
		}
		if (rc == 0)
			cl_bugcheck_describe(out);
	}
	json_decref(root);
	if (rc)
		memset(out, 0, sizeof(*out));
	return rc;
}
