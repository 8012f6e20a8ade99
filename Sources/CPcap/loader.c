// libpcap is loaded when Plumb first captures, not when any plumb command starts: it pulls in dbus, systemd and
// their libraries (nine shared objects), whose loading and relocation every `plumb snapshot` used to pay for.
// Each libpcap function PlumbCapture calls is defined here and forwards to the loaded library.
#include <pcap/pcap.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static void *lib;
static char load_error[PCAP_ERRBUF_SIZE];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void) {
    lib = dlopen("libpcap.so.0.8", RTLD_NOW | RTLD_LOCAL);
    if (!lib) lib = dlopen("libpcap.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!lib) snprintf(load_error, sizeof load_error, "libpcap cannot be loaded (%s): apt install libpcap0.8", dlerror());
}

static void *sym(const char *name) {
    pthread_once(&once, load);
    return lib ? dlsym(lib, name) : NULL;
}

// Forwards NAME; FAIL runs when libpcap is missing (only pcap_create and pcap_open_dead can be reached then:
// every other function needs a pcap_t they made).
#define FORWARD(ret, name, params, args, fail) \
    ret name params { \
        static ret (*f) params; \
        if (!f) f = (ret (*) params)sym(#name); \
        if (!f) { fail; } \
        return f args; \
    }
#define FORWARD_VOID(name, params, args) \
    void name params { \
        static void (*f) params; \
        if (!f) f = (void (*) params)sym(#name); \
        if (f) f args; \
    }

FORWARD(pcap_t *, pcap_create, (const char *source, char *errbuf), (source, errbuf),
        if (errbuf) snprintf(errbuf, PCAP_ERRBUF_SIZE, "%s", load_error); return NULL)
FORWARD(pcap_t *, pcap_open_dead, (int linktype, int snaplen), (linktype, snaplen), return NULL)
FORWARD(int, pcap_set_snaplen, (pcap_t *p, int v), (p, v), return PCAP_ERROR)
FORWARD(int, pcap_set_promisc, (pcap_t *p, int v), (p, v), return PCAP_ERROR)
FORWARD(int, pcap_set_timeout, (pcap_t *p, int v), (p, v), return PCAP_ERROR)
FORWARD(int, pcap_set_immediate_mode, (pcap_t *p, int v), (p, v), return PCAP_ERROR)
FORWARD(int, pcap_set_buffer_size, (pcap_t *p, int v), (p, v), return PCAP_ERROR)
FORWARD(int, pcap_set_tstamp_precision, (pcap_t *p, int v), (p, v), return PCAP_ERROR)
FORWARD(int, pcap_get_tstamp_precision, (pcap_t *p), (p), return PCAP_ERROR)
FORWARD(int, pcap_activate, (pcap_t *p), (p), return PCAP_ERROR)
FORWARD(int, pcap_dispatch, (pcap_t *p, int cnt, pcap_handler cb, u_char *user), (p, cnt, cb, user), return PCAP_ERROR)
FORWARD(int, pcap_stats, (pcap_t *p, struct pcap_stat *st), (p, st), return PCAP_ERROR)
FORWARD(int, pcap_setfilter, (pcap_t *p, struct bpf_program *fp), (p, fp), return PCAP_ERROR)
FORWARD(int, pcap_setnonblock, (pcap_t *p, int v, char *errbuf), (p, v, errbuf), return PCAP_ERROR)
FORWARD(char *, pcap_geterr, (pcap_t *p), (p), return load_error)
FORWARD(int, pcap_compile, (pcap_t *p, struct bpf_program *fp, const char *str, int optimize, bpf_u_int32 netmask),
        (p, fp, str, optimize, netmask), return PCAP_ERROR)
FORWARD(int, pcap_datalink, (pcap_t *p), (p), return PCAP_ERROR)
FORWARD(int, pcap_set_datalink, (pcap_t *p, int v), (p, v), return PCAP_ERROR)
FORWARD(int, pcap_get_selectable_fd, (pcap_t *p), (p), return -1)
FORWARD(const char *, pcap_statustostr, (int error), (error), return load_error)
FORWARD_VOID(pcap_close, (pcap_t *p), (p))
FORWARD_VOID(pcap_freecode, (struct bpf_program *fp), (fp))
