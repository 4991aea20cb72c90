//! Small RGB images as PNG data URIs, for SVG `<image>` elements: a receptive field of
//! 28 × 28 weights is one image, not 784 `<rect>`s (a 20 × 20 grid of them would make a
//! 25 MB SVG). plotters' SVG backend embeds bitmaps only through the `image` crate; a PNG of
//! one IDAT chunk needs no more than zlib (flate2) and CRC-32 (crc32fast).

use flate2::Compression;
use flate2::write::ZlibEncoder;
use std::io::Write;

/// The PNG file of a `width × height` image, `rgb` holding 3 bytes per pixel, row by row.
pub fn encode(width: u32, height: u32, rgb: &[u8]) -> Vec<u8> {
    assert_eq!(
        rgb.len(),
        width as usize * height as usize * 3,
        "3 bytes per pixel"
    );
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut header = Vec::with_capacity(13);
    header.extend_from_slice(&width.to_be_bytes());
    header.extend_from_slice(&height.to_be_bytes());
    // 8 bits per channel, colour type 2 (RGB), deflate, no filter method, no interlace.
    header.extend_from_slice(&[8, 2, 0, 0, 0]);
    chunk(&mut png, b"IHDR", &header);
    let mut z = ZlibEncoder::new(Vec::new(), Compression::default());
    for row in rgb.chunks_exact(width as usize * 3) {
        // Each scanline starts with its filter type: 0, none.
        z.write_all(&[0])
            .and_then(|()| z.write_all(row))
            .expect("writing to memory");
    }
    chunk(&mut png, b"IDAT", &z.finish().expect("writing to memory"));
    chunk(&mut png, b"IEND", &[]);
    png
}

/// A chunk: its length, type, data, and the CRC-32 of type and data.
fn chunk(png: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    png.extend_from_slice(&(data.len() as u32).to_be_bytes());
    png.extend_from_slice(kind);
    png.extend_from_slice(data);
    let mut crc = crc32fast::Hasher::new();
    crc.update(kind);
    crc.update(data);
    png.extend_from_slice(&crc.finalize().to_be_bytes());
}

/// `data:image/png;base64,…` of a PNG file.
pub fn data_uri(png: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(22 + png.len().div_ceil(3) * 4);
    out.push_str("data:image/png;base64,");
    for group in png.chunks(3) {
        let b = [
            group[0],
            *group.get(1).unwrap_or(&0),
            *group.get(2).unwrap_or(&0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for i in 0..4 {
            if i <= group.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::read::ZlibDecoder;
    use std::io::Read;

    #[test]
    fn base64_pads_as_the_standard_says() {
        let body = |s: &[u8]| data_uri(s)["data:image/png;base64,".len()..].to_string();
        assert_eq!(body(b"Man"), "TWFu");
        assert_eq!(body(b"Ma"), "TWE=");
        assert_eq!(body(b"M"), "TQ==");
        assert_eq!(body(b"hello world"), "aGVsbG8gd29ybGQ=");
    }

    #[test]
    fn a_png_has_its_signature_header_and_pixels() {
        let rgb = [255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30];
        let png = encode(2, 2, &rgb);
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        assert_eq!(&png[12..16], b"IHDR");
        assert_eq!(u32::from_be_bytes(png[16..20].try_into().unwrap()), 2);
        // The IHDR's CRC, as any PNG reader checks it.
        let crc = crc32fast::hash(&png[12..29]);
        assert_eq!(png[29..33], crc.to_be_bytes());
        // The pixels come back from the IDAT, each row after its filter byte.
        let len = u32::from_be_bytes(png[33..37].try_into().unwrap()) as usize;
        assert_eq!(&png[37..41], b"IDAT");
        let mut raw = Vec::new();
        ZlibDecoder::new(&png[41..41 + len])
            .read_to_end(&mut raw)
            .unwrap();
        assert_eq!(raw, [0, 255, 0, 0, 0, 255, 0, 0, 0, 0, 255, 10, 20, 30]);
        assert!(png.ends_with(&[0, 0, 0, 0, b'I', b'E', b'N', b'D', 0xAE, 0x42, 0x60, 0x82]));
    }
}
