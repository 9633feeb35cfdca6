/*
 * test_shim_eth_frame.c - the Ethernet shim's DIX and LLC headers: written
 * and parsed back, byte for byte, padded frames, every refusal, max SDU.
 */
#include "eth_frame.h"
#include "tap.h"

#include <errno.h>

static const uint8_t dst[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
static const uint8_t src[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x02};

static const struct eth_fmt dix = {.framing = ETH_FRAMING_DIX, .ethertype = 0xA000};
static const struct eth_fmt llc = {.framing = ETH_FRAMING_LLC, .sap = ETH_LLC_SAP};

/* A frame of fmt carrying len bytes of 0x5a for eid, padded to 60 bytes. */
static size_t frame(const struct eth_fmt *fmt, uint8_t *buf, uint16_t eid, uint16_t len)
{
    size_t hl = eth_frame_write(fmt, buf, dst, src, eid, len);
    size_t n = hl + len;

    memset(buf + hl, 0x5a, len);
    if (n < ETH_FRAME_MIN) {
        memset(buf + n, 0, ETH_FRAME_MIN - n);
        n = ETH_FRAME_MIN;
    }
    return n;
}

static void test_dix(void)
{
    uint8_t buf[2048];
    struct eth_frame fr;
    size_t n = frame(&dix, buf, 0x1234, 1000);

    is(eth_fmt_hdr_len(&dix), 18, "DIX header: 18 bytes");
    is(n, 1018, "DIX frame of 1000 bytes");
    ok(buf[12] == 0xA0 && buf[13] == 0x00 && buf[14] == 0x12 && buf[15] == 0x34 &&
           buf[16] == 0x03 && buf[17] == 0xE8,
       "DIX: ethertype, eid, length in network order");
    is(eth_frame_parse(&dix, buf, n, &fr), 0, "DIX frame parses");
    ok(fr.eid == 0x1234 && fr.len == 1000 && fr.hdr_len == 18, "eid, length, payload offset");
    ok(memcmp(fr.dst, dst, 6) == 0 && memcmp(fr.src, src, 6) == 0, "MAC addresses");

    n = frame(&dix, buf, 7, 3);
    is(n, 60, "a 3-byte payload is padded to 60 bytes");
    ok(eth_frame_parse(&dix, buf, n, &fr) == 0 && fr.len == 3,
       "the length field, not the frame size, ends the payload");

    n = frame(&dix, buf, 7, 0);
    ok(eth_frame_parse(&dix, buf, n, &fr) == 0 && fr.len == 0, "an empty payload");

    struct eth_fmt other = dix;
    other.ethertype = 0xA001;
    n = frame(&other, buf, 7, 100);
    is(eth_frame_parse(&dix, buf, n, &fr), -EPROTOTYPE, "another ethertype: refused");
    n = frame(&llc, buf, 7, 100);
    is(eth_frame_parse(&dix, buf, n, &fr), -EPROTOTYPE, "an LLC frame: not DIX");

    n = frame(&dix, buf, 7, 100);
    is(eth_frame_parse(&dix, buf, 13, &fr), -EBADMSG, "13 bytes: too short");
    is(eth_frame_parse(&dix, buf, 17, &fr), -EBADMSG, "17 bytes: no shim header");
    is(eth_frame_parse(&dix, buf, 117, &fr), -EBADMSG, "payload cut short: refused");
    is(eth_frame_parse(&dix, buf, 118, &fr), 0, "exactly the payload: fine");
    buf[16] = 0xff;
    is(eth_frame_parse(&dix, buf, n, &fr), -EBADMSG, "a length past the frame: refused");
}

static void test_llc(void)
{
    uint8_t buf[2048];
    struct eth_frame fr;
    size_t n = frame(&llc, buf, 0xfffe, 1400);

    is(eth_fmt_hdr_len(&llc), 21, "LLC header: 21 bytes");
    ok(buf[12] == ((1400 + 7) >> 8) && buf[13] == ((1400 + 7) & 0xff),
       "802.3 length = LLC + shim header + payload");
    ok(buf[14] == ETH_LLC_SAP && buf[15] == ETH_LLC_SAP && buf[16] == 0x03,
       "DSAP, SSAP, control UI");
    ok(buf[17] == 0xff && buf[18] == 0xfe && buf[19] == (1400 >> 8) && buf[20] == (1400 & 0xff),
       "eid and length after the LLC header");
    is(eth_frame_parse(&llc, buf, n, &fr), 0, "LLC frame parses");
    ok(fr.eid == 0xfffe && fr.len == 1400 && fr.hdr_len == 21, "eid, length, payload offset");

    n = frame(&llc, buf, 3, 1);
    ok(n == 60 && eth_frame_parse(&llc, buf, n, &fr) == 0 && fr.len == 1,
       "a padded LLC frame: one byte of payload");

    n = frame(&dix, buf, 3, 100);
    is(eth_frame_parse(&llc, buf, n, &fr), -EPROTOTYPE, "a DIX frame: not LLC");
    n = frame(&llc, buf, 3, 100);
    buf[14] = 0x42;
    is(eth_frame_parse(&llc, buf, n, &fr), -EPROTOTYPE, "another DSAP (STP): refused");
    buf[14] = ETH_LLC_SAP;
    buf[15] = 0x43;
    is(eth_frame_parse(&llc, buf, n, &fr), -EPROTOTYPE, "another SSAP: refused");
    buf[15] = ETH_LLC_SAP;
    buf[16] = 0xbf;
    is(eth_frame_parse(&llc, buf, n, &fr), -EPROTOTYPE, "not a UI frame: refused");
    buf[16] = 0x03;
    is(eth_frame_parse(&llc, buf, 16, &fr), -EBADMSG, "no LLC header: too short");
    buf[12] = 0x00;
    buf[13] = 0x06;
    is(eth_frame_parse(&llc, buf, n, &fr), -EBADMSG, "802.3 length below 7: refused");
    buf[12] = 0x05;
    buf[13] = 0xdc;
    is(eth_frame_parse(&llc, buf, n, &fr), -EBADMSG, "802.3 length past the frame: refused");
    buf[12] = 0x00;
    buf[13] = 7 + 50;
    is(eth_frame_parse(&llc, buf, n, &fr), -EBADMSG,
       "a payload length past the 802.3 length: refused");
}

static void test_sdu(void)
{
    is(eth_fmt_max_sdu(&dix, 1500), 1496, "DIX max SDU at MTU 1500");
    is(eth_fmt_max_sdu(&dix, 9000), 8996, "DIX max SDU at MTU 9000 (jumbo)");
    is(eth_fmt_max_sdu(&dix, 70000), 65535, "DIX max SDU: the length field's limit");
    is(eth_fmt_max_sdu(&llc, 1500), 1493, "LLC max SDU at MTU 1500");
    is(eth_fmt_max_sdu(&llc, 9000), 1493, "LLC max SDU: 802.3 lengths end at 1500");
    is(eth_fmt_max_sdu(&llc, 1400), 1393, "LLC max SDU at MTU 1400");
    is(eth_fmt_max_sdu(&dix, 2), 0, "no room at all");
}

int main(void)
{
    plan(38);
    test_dix();
    test_llc();
    test_sdu();
    return done();
}
