/*
 * Coverage: the events crashlab derives from a content file, fed as the
 * sensor would see them through the sensor's own interpreter, must make
 * every non-wildcard criterion of every instance be evaluated; instances no
 * event can satisfy are named with the reason.
 */
#include "cl_test.h"
#include "cl_content.h"
#include "cl_coverage.h"
#include "cl_util.h"

/* The inputs the sensor fills for one event (cl_event in clsensor_main.c). */
static void feed(const struct cl_content *c, struct cl_coverage *cov, const char *event,
		 const char *name, const char *path)
{
	const char *inputs[CL_INPUT_FIELDS];
	struct cl_eval_result res;

	for (int i = 0; i < CL_INPUT_FIELDS; i++)
		inputs[i] = "";
	inputs[CL_F_EVENT] = event;
	inputs[CL_F_NAME] = name;
	inputs[CL_F_PATH] = path;
	inputs[CL_F_COMM] = "crashlab-agent";
	cl_interp_eval(c, inputs, &res, cov);
}

/* Drive every planned event into the interpreter: a FIFO is created then
 * opened (path "DIRNAME/NAME"), a socket connected (path "DIR/NAME"). */
static void drive(const struct cl_content *c, const struct cl_cov_plan *p, struct cl_coverage *cov)
{
	char path[256];

	memset(cov, 0, sizeof(*cov));
	for (int i = 0; i < p->n; i++) {
		const struct cl_cov_event *e = &p->ev[i];

		if (e->unix_socket) {
			snprintf(path, sizeof(path), "%s/%s", e->dir, e->name);
			feed(c, cov, "unix_connect", e->name, path);
		} else {
			snprintf(path, sizeof(path), "%s/%s", strrchr(e->dir, '/') + 1, e->name);
			feed(c, cov, "fifo_create", e->name, path);
			feed(c, cov, "fifo_open", e->name, path);
		}
	}
}

/* @file's bytes (caller frees), parsed into @c; its coverage plan into @p. */
static char *load(const char *file, struct cl_content *c, struct cl_cov_plan *p)
{
	const char *why;
	char *data = NULL;
	size_t len;

	assert_int_equal(cl_read_file(&data, &len, file, 1 << 20), 0);
	assert_int_equal(cl_content_parse(c, (const u8 *)data, (u32)len, &why), 0);
	memset(p, 0, sizeof(*p));
	assert_int_equal(cl_coverage_plan(p, (const unsigned char *)data, len), 0);
	return data;
}

static void all_exercised(const char *file, u32 ninstances)
{
	struct cl_cov_plan p;
	struct cl_coverage cov;
	struct cl_content c;
	char *data = load(file, &c, &p);
	u64 fields = 0;

	assert_int_equal(p.nmissed, 0);
	assert_int_equal(c.ninstances, ninstances);
	drive(&c, &p, &cov);
	for (u32 i = 0; i < c.ninstances; i++) {
		u32 need = cl_content_needed(&c, i, &fields);

		if ((cov.instance[i] & need) != need)
			fail_msg("%s: instance %u: evaluated %x of %x", file, i + 1, cov.instance[i], need);
	}
	assert_int_equal(cov.fields & fields, fields);
	free(data);
}

static void test_published_content_fully_exercised(void **state)
{
	(void)state;
	all_exercised("sensor/content/channel-291-good.bin", 4);
	all_exercised("sensor/content/channel-291-update.bin", 5);
}

/* Without the derived events the scenario's own names leave instances out. */
static void test_coverage_needs_the_right_events(void **state)
{
	struct cl_cov_plan p;
	struct cl_coverage cov;
	struct cl_content c;
	char *data = load("sensor/content/channel-291-good.bin", &c, &p);

	(void)state;
	p.n = 0;
	drive(&c, &p, &cov); /* no events: nothing evaluated */
	assert_int_equal(cov.instance[0], 0);
	feed(&c, &cov, "fifo_create", "innocent", "tmp/innocent");
	assert_int_equal(cov.instance[0], 3); /* event matched, so the name was evaluated */
	assert_int_equal(cov.instance[1], 1); /* not fifo_open: its name never looked at */
	assert_int_equal(cov.instance[2], 1); /* not unix_connect: path and name never */
	assert_int_equal(cov.fields, 3);      /* event and name; the path never read */
	free(data);
}

/* One instance of a hand-made content file: header, then @ncrit criteria. */
static size_t one_instance(u8 *buf, const u8 (*crit)[2], const char *const *values, int ncrit)
{
	size_t off = CL_HEADER_LEN;

	memset(buf, 0, CL_HEADER_LEN + CL_INSTANCE_LEN);
	memcpy(buf, "CLCF", 4);
	buf[4] = CL_CONTENT_FORMAT;
	buf[6] = CL_INPUT_FIELDS;
	buf[8] = 7;  /* channel */
	buf[16] = 1; /* one instance */
	buf[off] = 9; /* id */
	buf[off + 4] = CL_ACTION_COUNT;
	buf[off + 6] = (u8)ncrit;
	off += CL_INSTANCE_LEN;
	for (int k = 0; k < ncrit; k++) {
		size_t vl = strlen(values[k]);

		buf[off] = crit[k][0];
		buf[off + 1] = crit[k][1];
		buf[off + 2] = (u8)vl;
		buf[off + 3] = 0;
		memcpy(buf + off + CL_CRITERION_LEN, values[k], vl);
		off += CL_CRITERION_LEN + vl;
	}
	buf[20] = (u8)off;
	buf[21] = (u8)(off >> 8);
	return off;
}

static void test_undrivable_instances_named(void **state)
{
	static const u8 on_comm[][2] = { { CL_F_NAME, CL_OP_PREFIX }, { CL_F_COMM, CL_OP_EQ } };
	static const char *const comm_values[] = { "x", "sshd" };
	static const u8 contradiction[][2] = { { CL_F_NAME, CL_OP_EQ }, { CL_F_NAME, CL_OP_EQ } };
	static const char *const names[] = { "a", "b" };
	static const u8 socket_path[][2] = { { CL_F_EVENT, CL_OP_EQ }, { CL_F_PATH, CL_OP_EQ } };
	static const char *const sock_values[] = { "unix_connect", "/var/run/agent/ctl.sock" };
	struct cl_cov_plan p = { 0 };
	u8 buf[512];
	size_t len;

	(void)state;
	len = one_instance(buf, on_comm, comm_values, 2);
	assert_int_equal(cl_coverage_plan(&p, buf, len), 0);
	assert_int_equal(p.n, 0);
	assert_int_equal(p.nmissed, 1);
	assert_int_equal(p.missed[0].instance, 9);
	assert_contains(p.missed[0].why, "field 4 (comm)");

	len = one_instance(buf, contradiction, names, 2);
	assert_int_equal(cl_coverage_plan(&p, buf, len), 0);
	assert_int_equal(p.nmissed, 2);
	assert_contains(p.missed[1].why, "satisfies all its criteria");

	/* an exact socket path: its directory and its own name */
	len = one_instance(buf, socket_path, sock_values, 2);
	assert_int_equal(cl_coverage_plan(&p, buf, len), 0);
	assert_int_equal(p.n, 1);
	assert_int_equal(p.ev[0].unix_socket, 1);
	assert_string_equal(p.ev[0].dir, "/var/run/agent");
	assert_string_equal(p.ev[0].name, "ctl.sock");
	/* the same content again adds no event twice */
	assert_int_equal(cl_coverage_plan(&p, buf, len), 0);
	assert_int_equal(p.n, 1);

	/* not the reference format, or refused by its parser */
	assert_int_equal(cl_coverage_plan(&p, (const unsigned char *)"rules: none\n", 12), -1);
	buf[6] = CL_INPUT_FIELDS + 1; /* a 21-field template: the shipped parser refuses it */
	assert_int_equal(cl_coverage_plan(&p, buf, len), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_published_content_fully_exercised),
		cmocka_unit_test(test_coverage_needs_the_right_events),
		cmocka_unit_test(test_undrivable_instances_named),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
