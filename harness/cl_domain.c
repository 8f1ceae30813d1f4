/*
 * cl_domain.c - domain XML generation (see cl_domain.h). Kept apart from
 * the runner so the XML can be checked against expected files in tests.
 */
#include "cl_domain.h"
#include "cl_util.h"

#include <stdlib.h>
#include <string.h>

char *cl_xml_escape(const char *s)
{
	size_t cap = strlen(s) * 6 + 1, o = 0;
	char *out = cl_xmalloc(cap);

	for (; *s; s++) {
		const char *rep = NULL;
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&apos;"; break;
		default: break;
		}
		if (rep) {
			memcpy(out + o, rep, strlen(rep));
			o += strlen(rep);
		} else if (c >= 0x20 || c == '\n' || c == '\t') {
			out[o++] = (char)c;
		}
	}
	out[o] = '\0';
	return out;
}

char *cl_domain_xml(const struct cl_domain_spec *s)
{
	char *name = cl_xml_escape(s->name), *type = cl_xml_escape(s->virt_type);
	char *kernel = cl_xml_escape(s->kernel), *initrd = cl_xml_escape(s->initrd);
	char *cmdline = cl_xml_escape(s->cmdline), *con = cl_xml_escape(s->console_sock);
	char *agent = cl_xml_escape(s->agent_sock), *crash = cl_xml_escape(s->on_crash);
	char *panic = cl_xml_escape(s->panic_model ? s->panic_model : "isa");
	char *xml = cl_sprintf(
		"<domain type='%s'>\n"
		"  <name>%s</name>\n"
		"  <memory unit='MiB'>%d</memory>\n"
		"  <vcpu>%d</vcpu>\n"
		"  <os>\n"
		"    <type arch='x86_64' machine='pc'>hvm</type>\n"
		"    <kernel>%s</kernel>\n"
		"    <initrd>%s</initrd>\n"
		"    <cmdline>%s</cmdline>\n"
		"  </os>\n"
		"  <features>\n"
		"    <acpi/>\n"
		"%s"
		"  </features>\n"
		"  <on_poweroff>destroy</on_poweroff>\n"
		"  <on_reboot>restart</on_reboot>\n"
		"  <on_crash>%s</on_crash>\n"
		"  <devices>\n"
		"    <serial type='unix'>\n"
		"      <source mode='bind' path='%s'/>\n"
		"      <target port='0'/>\n"
		"    </serial>\n"
		"    <serial type='unix'>\n"
		"      <source mode='bind' path='%s'/>\n"
		"      <target port='1'/>\n"
		"    </serial>\n"
		"    <panic model='%s'/>\n"
		"    <memballoon model='none'/>\n"
		"  </devices>\n"
		"  <seclabel type='none' model='dac'/>\n"
		"</domain>\n",
		type, name, s->memory_mib, s->vcpus, kernel, initrd, cmdline,
		s->vmcoreinfo ? "    <vmcoreinfo state='on'/>\n" : "", crash, con, agent, panic);

	free(name);
	free(type);
	free(kernel);
	free(initrd);
	free(cmdline);
	free(con);
	free(agent);
	free(crash);
	free(panic);
	return xml;
}
