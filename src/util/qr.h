/* QR Code symbols (ISO/IEC 18004), written from the standard: byte mode, error correction
 * level M (about 15 % of the symbol may be lost), versions 1 to 40, Reed-Solomon over
 * GF(2^8), the mask chosen among all eight by the standard's penalty rules.  Used to show
 * the TOTP enrolment URI (crypto/totp.h, ACC-5) so an authenticator app can scan it.
 *
 * What is encoded here is usually a secret (the URI holds the TOTP key): everything
 * derived from it inside these functions is wiped before they return, and callers wipe
 * the modules and the SVG text when they are done.  Pure code: no I/O, no locale, no
 * global state (safe from any thread).  See docs/internals/totp-qr.md. */
#ifndef XY_UTIL_QR_H
#define XY_UTIL_QR_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

#define XY_QR_VERSION_MAX 40
#define XY_QR_SIZE(v)	  (17 + 4 * (v)) /* modules per side of version v */
#define XY_QR_MODULES_MAX (XY_QR_SIZE(XY_QR_VERSION_MAX) * XY_QR_SIZE(XY_QR_VERSION_MAX))
#define XY_QR_BYTES_MAX	  2331 /* byte-mode capacity of version 40-M */
#define XY_QR_QUIET	  4    /* light modules around the symbol (the standard's minimum) */
#define XY_QR_SVG_PX	  4    /* intrinsic CSS pixels per module in the SVG */

/* Encodes data[0..n) in the smallest version that holds it, level M, with the mask of
 * least penalty.  modules receives size*size bytes, row-major, 1 = dark, 0 = light
 * (without the quiet zone); *size_out = 17 + 4 * version.  XY_ELIMIT when n is more than
 * XY_QR_BYTES_MAX or cap < size*size (XY_QR_MODULES_MAX is always enough); XY_EINVAL for
 * NULL pointers. */
__attribute__((warn_unused_result)) int xy_qr_encode(const uint8_t *data, size_t n,
						     uint8_t *modules, size_t cap, int *size_out);

/* Appends to out an SVG document of the symbol for the bytes of text (NUL-terminated):
 * a white background, a quiet zone of XY_QR_QUIET modules and one <path> of the dark
 * modules, XY_QR_SVG_PX px per module.  The space is reserved once, so out is not
 * reallocated part-way through (no copy of the symbol is left in freed memory); wipe it
 * (xy_buf_wipe) before xy_buf_cleanup when text was secret.  On error out is as before.
 * XY_ELIMIT when the text is too long for a symbol or out's max is reached, XY_ENOMEM. */
__attribute__((warn_unused_result)) int xy_qr_svg(const char *text, struct xy_buf *out);

/* ---- Building blocks, exposed for the unit tests and for tools ---- */

/* As xy_qr_encode, but with mask 0..7 forced (mask -1: choose, as xy_qr_encode). */
__attribute__((warn_unused_result)) int xy_qr_encode_mask(const uint8_t *data, size_t n, int mask,
							  uint8_t *modules, size_t cap,
							  int *size_out);
/* Smallest version (1..40) whose level-M symbol holds n bytes in byte mode, or XY_ELIMIT. */
int xy_qr_version_for(size_t n);
/* The 15 format-information bits for level M and mask 0..7 (BCH(15,5), XOR 0x5412). */
uint16_t xy_qr_format_bits(int mask);
/* The 18 version-information bits for version 7..40 (BCH(18,6)); 0 for other versions. */
uint32_t xy_qr_version_bits(int version);
/* The Reed-Solomon generator polynomial of degree 1..XY_QR_EC_MAX, prod (x - a^i) for
 * i = 0..degree-1, a = 2 in GF(2^8) modulo x^8+x^4+x^3+x^2+1: gen[0..degree], highest
 * power first (gen[0] = 1).  XY_EINVAL for another degree. */
#define XY_QR_EC_MAX 30
__attribute__((warn_unused_result)) int xy_qr_rs_generator(int degree, uint8_t *gen);
/* The degree error-correction codewords of data[0..n) under gen (the remainder of
 * data(x) * x^degree divided by gen(x)), into ecc[0..degree). */
void xy_qr_rs_remainder(const uint8_t *data, size_t n, const uint8_t *gen, int degree,
			uint8_t *ecc);
/* Penalty score of a size*size symbol (1 = dark) under the standard's four rules: runs of
 * five or more (3 + run - 5), 2x2 blocks (3 each), 1:1:3:1:1 finder-like patterns with 4
 * light modules on either side, outside the symbol counting as light (40 each), and 10
 * per whole 5 % that the dark share is away from 50 %. */
long xy_qr_penalty(const uint8_t *modules, int size);

#endif
