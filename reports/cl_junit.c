/*
 * cl_junit.c - junit.xml (see cl_junit.h), through the XML writer helpers
 * (cl_xmlw.h): every string is escaped as it is written.
 */
#include "cl_junit.h"
#include "cl_util.h"
#include "cl_xmlw.h"

#include <stdlib.h>

/* A <property> @name=@value; none when @value is empty. */
static void junit_property(xmlTextWriterPtr w, const char *name, const char *value)
{
	if (!value || !*value)
		return;
	xmlTextWriterStartElement(w, CL_XC("property"));
	cl_xmlw_attr(w, "name", name);
	cl_xmlw_attr(w, "value", value);
	xmlTextWriterEndElement(w);
}

static void junit_case(xmlTextWriterPtr w, const char *classname, const struct cl_junit_case *c)
{
	const char *tag = c->verdict == CL_V_PASS ? NULL
			  : cl_verdict_is_failure(c->verdict) ? "failure" : "error";
	char *cls = cl_sprintf("crashlab.%s", classname);
	char *name = cl_sprintf("%s (%s)", c->id, c->kernel);

	xmlTextWriterStartElement(w, CL_XC("testcase"));
	cl_xmlw_attr(w, "classname", cls);
	cl_xmlw_attr(w, "name", name);
	xmlTextWriterWriteFormatAttribute(w, CL_XC("time"), "%.1f", c->duration_s);
	xmlTextWriterStartElement(w, CL_XC("properties"));
	junit_property(w, "kernel_release", c->kernel);
	junit_property(w, "module_sha256", c->module_sha256);
	junit_property(w, "snapshot_sha256", c->snapshot_sha256);
	xmlTextWriterFullEndElement(w);
	if (tag) {
		xmlTextWriterStartElement(w, CL_XC(tag));
		cl_xmlw_attr(w, "type", cl_verdict_name(c->verdict));
		cl_xmlw_attr(w, "message", c->title);
		if (c->excerpt)
			cl_xmlw_text(w, c->excerpt);
		if (c->console) {
			cl_xmlw_text(w, "\nconsole: ");
			cl_xmlw_text(w, c->console);
		}
		xmlTextWriterFullEndElement(w);
	}
	xmlTextWriterEndElement(w);
	free(cls);
	free(name);
}

int cl_junit_write(const char *path, const char *suite, const char *classname,
		   const struct cl_junit_prop *props, int nprops,
		   const struct cl_junit_case *cases, int n)
{
	xmlBufferPtr buf = xmlBufferCreate();
	xmlTextWriterPtr w = buf ? xmlNewTextWriterMemory(buf, 0) : NULL;
	char *name = cl_sprintf("crashlab.%s", suite);
	int i, failures = 0, errors = 0;
	double total = 0;

	if (!w)
		abort();
	for (i = 0; i < n; i++) {
		failures += cl_verdict_is_failure(cases[i].verdict);
		errors += cases[i].verdict != CL_V_PASS && !cl_verdict_is_failure(cases[i].verdict);
		total += cases[i].duration_s;
	}
	xmlTextWriterSetIndent(w, 1);
	xmlTextWriterSetIndentString(w, CL_XC("  "));
	xmlTextWriterStartDocument(w, NULL, "UTF-8", NULL);
	xmlTextWriterStartElement(w, CL_XC("testsuites"));
	xmlTextWriterStartElement(w, CL_XC("testsuite"));
	cl_xmlw_attr(w, "name", name);
	xmlTextWriterWriteFormatAttribute(w, CL_XC("tests"), "%d", n);
	xmlTextWriterWriteFormatAttribute(w, CL_XC("failures"), "%d", failures);
	xmlTextWriterWriteFormatAttribute(w, CL_XC("errors"), "%d", errors);
	xmlTextWriterWriteFormatAttribute(w, CL_XC("time"), "%.1f", total);
	xmlTextWriterStartElement(w, CL_XC("properties"));
	for (i = 0; i < nprops; i++)
		junit_property(w, props[i].name, props[i].value);
	xmlTextWriterFullEndElement(w);
	for (i = 0; i < n; i++)
		junit_case(w, classname, &cases[i]);
	free(name);
	return cl_xmlw_save(w, buf, path);
}
