/*
 * tunrate: this machine's TUN packet rate, the ceiling for any TUN-based gateway (method of
 * /work/shared/reference/limits.md section 4). Run inside a network namespace that the caller created and deletes.
 *
 *   tunrate write SIZE SECONDS   user -> TUN -> kernel -> UDP socket: one write() per IPv4/UDP packet of SIZE bytes
 *                                (10.9.0.2 -> 10.9.0.1:9000), a thread counts arrivals with recvmmsg.
 *   tunrate read SIZE SECONDS    UDP sendmmsg -> kernel -> TUN -> user: a thread floods 10.9.0.2:9000 (routed into the
 *                                TUN), main does one read() per packet.
 * Prints one line: "tunrate MODE SIZE pps=... gbps=... cpu_us_per_pkt=..." (main thread CPU per packet).
 * Build: cc -O2 -pthread -o tunrate tunrate.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static volatile int running = 1;
static volatile long counted;
static int size;

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }

static double thread_cpu(void) {
    struct rusage u; getrusage(RUSAGE_THREAD, &u);
    return u.ru_utime.tv_sec + u.ru_utime.tv_usec / 1e6 + u.ru_stime.tv_sec + u.ru_stime.tv_usec / 1e6;
}

static uint16_t csum(const uint8_t *p, int n) {
    uint32_t s = 0;
    for (int i = 0; i + 1 < n; i += 2) s += (p[i] << 8) | p[i + 1];
    if (n & 1) s += p[n - 1] << 8;
    while (s >> 16) s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

static void *receiver(void *arg) {
    int fd = *(int *)arg;
    struct mmsghdr m[64]; struct iovec v[64]; static char buf[64][2048];
    for (int i = 0; i < 64; i++) { v[i].iov_base = buf[i]; v[i].iov_len = 2048; memset(&m[i], 0, sizeof m[i]); m[i].msg_hdr.msg_iov = &v[i]; m[i].msg_hdr.msg_iovlen = 1; }
    struct timespec to = {0, 100000000};
    while (running) { int n = recvmmsg(fd, m, 64, MSG_WAITFORONE, &to); if (n > 0) counted += n; }
    return NULL;
}

static void *flooder(void *arg) {
    int fd = *(int *)arg;
    struct sockaddr_in dst = {.sin_family = AF_INET, .sin_port = htons(9000)};
    inet_pton(AF_INET, "10.9.0.2", &dst.sin_addr);
    static char payload[2048];
    struct mmsghdr m[64]; struct iovec v[64];
    for (int i = 0; i < 64; i++) { v[i].iov_base = payload; v[i].iov_len = size - 28; memset(&m[i], 0, sizeof m[i]); m[i].msg_hdr.msg_iov = &v[i]; m[i].msg_hdr.msg_iovlen = 1; m[i].msg_hdr.msg_name = &dst; m[i].msg_hdr.msg_namelen = sizeof dst; }
    while (running) sendmmsg(fd, m, 64, 0);
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 4) { fprintf(stderr, "usage: tunrate write|read SIZE SECONDS\n"); return 2; }
    int write_mode = strcmp(argv[1], "write") == 0;
    size = atoi(argv[2]);
    double seconds = atof(argv[3]);
    if (size < 28 || size > 1500 || seconds <= 0 || seconds > 60) { fprintf(stderr, "SIZE 28..1500, SECONDS 0..60\n"); return 2; }

    int tun = open("/dev/net/tun", O_RDWR);
    struct ifreq ifr = {0};
    ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
    strcpy(ifr.ifr_name, "ratetun0");
    if (tun < 0 || ioctl(tun, TUNSETIFF, &ifr) < 0) { perror("tun"); return 1; }
    if (system("ip addr add 10.9.0.1/24 dev ratetun0 && ip link set ratetun0 up txqueuelen 10000") != 0) return 1;

    int udp = socket(AF_INET, SOCK_DGRAM, 0);
    int big = 64 << 20;
    setsockopt(udp, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof big);
    struct sockaddr_in me = {.sin_family = AF_INET, .sin_port = htons(write_mode ? 9000 : 0)};
    inet_pton(AF_INET, write_mode ? "10.9.0.1" : "0.0.0.0", &me.sin_addr);
    if (bind(udp, (struct sockaddr *)&me, sizeof me) < 0) { perror("bind"); return 1; }

    pthread_t t;
    pthread_create(&t, NULL, write_mode ? receiver : flooder, &udp);
    uint8_t pkt[2048] = {0};
    long done = 0;
    double t0 = now(), c0 = thread_cpu(), end = t0 + seconds;
    if (write_mode) {
        pkt[0] = 0x45; pkt[2] = size >> 8; pkt[3] = size & 0xff; pkt[8] = 64; pkt[9] = 17;
        uint8_t src[4] = {10, 9, 0, 2}, dst[4] = {10, 9, 0, 1};
        memcpy(pkt + 12, src, 4); memcpy(pkt + 16, dst, 4);
        uint16_t c = csum(pkt, 20); pkt[10] = c >> 8; pkt[11] = c & 0xff;
        pkt[20] = 0x9c; pkt[21] = 0x40; pkt[22] = 9000 >> 8; pkt[23] = 9000 & 0xff;
        pkt[24] = (size - 20) >> 8; pkt[25] = (size - 20) & 0xff; /* UDP checksum 0: none (RFC 768) */
        while ((done & 255) || now() < end) { if (write(tun, pkt, size) == size) done++; }
    } else {
        fcntl(tun, F_SETFL, 0);
        while ((done & 255) || now() < end) { if (read(tun, pkt, sizeof pkt) > 0) done++; }
    }
    double elapsed = now() - t0, cpu = thread_cpu() - c0;
    running = 0;
    usleep(200000);
    long n = write_mode ? counted : done;
    printf("tunrate %s %d pps=%.0f gbps=%.3f cpu_us_per_pkt=%.2f\n", argv[1], size, n / elapsed, n * size * 8 / elapsed / 1e9, cpu * 1e6 / done);
    return 0;
}
