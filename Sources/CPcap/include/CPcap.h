// libpcap's API for PlumbCapture. The functions are defined in loader.c, which loads libpcap on first use.
#include <pcap/pcap.h>
