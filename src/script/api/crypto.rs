//! k6's `k6/crypto` module as the global `crypto` object: digests, HMAC and random bytes.
//!
//! ```rhai
//! let sig = crypto.hmac("sha256", SECRET, body, "hex");
//! let h = crypto.createHash("sha1"); h.update("hel"); h.update("lo");
//! check(h, #{ "sha1": |h| h.digest("hex") == "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d" });
//! ```
//! Algorithms: k6's md4, md5, sha1, sha256, sha384, sha512, sha512_224, sha512_256 and
//! ripemd160 (RustCrypto's crates); any other name is k6's "invalid algorithm" error.
//! Inputs are strings (their UTF-8 bytes) or blobs. Output encodings are k6's: `hex`,
//! `base64`, `base64url` (padded), `base64rawurl` and `binary` (a blob, k6's ArrayBuffer);
//! any other is k6's "Invalid output encoding" error.
//!
//! A hasher (`createHash`, `createHMAC`) keeps what it was given and digests it on `digest()`,
//! which, as in k6, does not reset it: more `update`s continue the same input.

use base64::engine::general_purpose::{STANDARD, URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine as _;
use hmac::{Hmac, Mac};
use md4::Md4;
use md5::Md5;
use rhai::{Dynamic, Engine, EvalAltResult};
use ripemd::Ripemd160;
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha384, Sha512, Sha512_224, Sha512_256};

use super::encoding::input_bytes;

/// The `crypto` object.
#[derive(Clone, Copy)]
pub struct CryptoApi;

/// A hasher from `crypto.createHash(algo)` or `crypto.createHMAC(algo, secret)`.
#[derive(Clone)]
pub struct Hasher {
    algorithm: Algorithm,
    /// The HMAC key; `None` for a plain hash.
    key: Option<Vec<u8>>,
    input: Vec<u8>,
}

type Fallible<T> = Result<T, Box<EvalAltResult>>;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Algorithm {
    Md4,
    Md5,
    Sha1,
    Sha256,
    Sha384,
    Sha512,
    Sha512_224,
    Sha512_256,
    Ripemd160,
}

impl Algorithm {
    fn parse(name: &str) -> Result<Algorithm, String> {
        Ok(match name {
            "md4" => Algorithm::Md4,
            "md5" => Algorithm::Md5,
            "sha1" => Algorithm::Sha1,
            "sha256" => Algorithm::Sha256,
            "sha384" => Algorithm::Sha384,
            "sha512" => Algorithm::Sha512,
            "sha512_224" => Algorithm::Sha512_224,
            "sha512_256" => Algorithm::Sha512_256,
            "ripemd160" => Algorithm::Ripemd160,
            other => return Err(format!("crypto: invalid algorithm: {other}")),
        })
    }

    fn hash(self, data: &[u8]) -> Vec<u8> {
        match self {
            Algorithm::Md4 => Md4::digest(data).to_vec(),
            Algorithm::Md5 => Md5::digest(data).to_vec(),
            Algorithm::Sha1 => Sha1::digest(data).to_vec(),
            Algorithm::Sha256 => Sha256::digest(data).to_vec(),
            Algorithm::Sha384 => Sha384::digest(data).to_vec(),
            Algorithm::Sha512 => Sha512::digest(data).to_vec(),
            Algorithm::Sha512_224 => Sha512_224::digest(data).to_vec(),
            Algorithm::Sha512_256 => Sha512_256::digest(data).to_vec(),
            Algorithm::Ripemd160 => Ripemd160::digest(data).to_vec(),
        }
    }

    fn hmac(self, key: &[u8], data: &[u8]) -> Vec<u8> {
        fn mac<M: Mac + hmac::digest::KeyInit>(key: &[u8], data: &[u8]) -> Vec<u8> {
            let mut m = <M as hmac::digest::KeyInit>::new_from_slice(key).expect("HMAC takes a key of any length");
            m.update(data);
            m.finalize().into_bytes().to_vec()
        }
        match self {
            Algorithm::Md4 => mac::<Hmac<Md4>>(key, data),
            Algorithm::Md5 => mac::<Hmac<Md5>>(key, data),
            Algorithm::Sha1 => mac::<Hmac<Sha1>>(key, data),
            Algorithm::Sha256 => mac::<Hmac<Sha256>>(key, data),
            Algorithm::Sha384 => mac::<Hmac<Sha384>>(key, data),
            Algorithm::Sha512 => mac::<Hmac<Sha512>>(key, data),
            Algorithm::Sha512_224 => mac::<Hmac<Sha512_224>>(key, data),
            Algorithm::Sha512_256 => mac::<Hmac<Sha512_256>>(key, data),
            Algorithm::Ripemd160 => mac::<Hmac<Ripemd160>>(key, data),
        }
    }
}

/// `digest` in k6's output encoding `encoding`.
pub fn encode_digest(digest: Vec<u8>, encoding: &str) -> Result<Dynamic, String> {
    Ok(match encoding {
        "hex" => Dynamic::from(digest.iter().map(|b| format!("{b:02x}")).collect::<String>()),
        "base64" => Dynamic::from(STANDARD.encode(digest)),
        "base64url" => Dynamic::from(URL_SAFE.encode(digest)),
        "base64rawurl" => Dynamic::from(URL_SAFE_NO_PAD.encode(digest)),
        "binary" => Dynamic::from_blob(digest),
        other => return Err(format!("Invalid output encoding: {other}")),
    })
}

fn hash(algorithm: &str, input: &Dynamic, encoding: &str) -> Fallible<Dynamic> {
    let algorithm = Algorithm::parse(algorithm)?;
    let data = input_bytes(&format!("crypto.{algorithm:?}()").to_lowercase(), input)?;
    Ok(encode_digest(algorithm.hash(&data), encoding)?)
}

fn hmac(algorithm: &str, secret: &Dynamic, data: &Dynamic, encoding: &str) -> Fallible<Dynamic> {
    let algorithm = Algorithm::parse(algorithm)?;
    let key = input_bytes("crypto.hmac() secret", secret)?;
    let data = input_bytes("crypto.hmac() data", data)?;
    Ok(encode_digest(algorithm.hmac(&key, &data), encoding)?)
}

fn create(algorithm: &str, secret: Option<&Dynamic>) -> Fallible<Hasher> {
    let key = secret.map(|s| input_bytes("crypto.createHMAC() secret", s)).transpose()?;
    Ok(Hasher { algorithm: Algorithm::parse(algorithm)?, key, input: Vec::new() })
}

fn random_bytes(n: i64) -> Fallible<Dynamic> {
    if !(0..=(64 << 20)).contains(&n) {
        return Err(format!("crypto.randomBytes({n}): the size must be between 0 and 64 MiB").into());
    }
    let mut bytes = vec![0u8; n as usize];
    rand::fill(&mut bytes[..]);
    Ok(Dynamic::from_blob(bytes))
}

pub fn register(engine: &mut Engine) {
    engine.register_type_with_name::<CryptoApi>("crypto");
    engine.register_type_with_name::<Hasher>("Hasher");
    for name in ["md4", "md5", "sha1", "sha256", "sha384", "sha512", "sha512_224", "sha512_256", "ripemd160"] {
        engine.register_fn(name, move |_: CryptoApi, input: Dynamic, enc: &str| hash(name, &input, enc));
    }
    engine.register_fn("hmac", |_: CryptoApi, algo: &str, secret: Dynamic, data: Dynamic, enc: &str| {
        hmac(algo, &secret, &data, enc)
    });
    engine.register_fn("randomBytes", |_: CryptoApi, n: i64| random_bytes(n));
    engine.register_fn("randomUUID", |_: CryptoApi| super::core::random_uuid());
    engine.register_fn("createHash", |_: CryptoApi, algo: &str| create(algo, None));
    engine.register_fn("createHMAC", |_: CryptoApi, algo: &str, secret: Dynamic| create(algo, Some(&secret)));
    engine.register_fn("update", |h: &mut Hasher, input: Dynamic| update(h, &input));
    engine.register_fn("digest", |h: &mut Hasher, enc: &str| digest(h, enc));
}

/// `hasher.update(input)`: more input.
fn update(h: &mut Hasher, input: &Dynamic) -> Fallible<()> {
    h.input.extend(input_bytes("hasher.update()", input)?);
    Ok(())
}

/// `hasher.digest(encoding)`: the hash (or HMAC) of every input so far; the hasher goes on.
fn digest(h: &Hasher, encoding: &str) -> Fallible<Dynamic> {
    let digest = match &h.key {
        Some(key) => h.algorithm.hmac(key, &h.input),
        None => h.algorithm.hash(&h.input),
    };
    Ok(encode_digest(digest, encoding)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(v: Dynamic) -> String {
        v.into_string().unwrap()
    }

    /// The values k6 v1.1 printed for the same calls.
    #[test]
    fn digests_and_hmacs_equal_k6s() {
        let hello = Dynamic::from("hello");
        assert_eq!(text(hash("md5", &hello, "hex").unwrap()), "5d41402abc4b2a76b9719d911017c592");
        assert_eq!(text(hash("sha1", &hello, "base64").unwrap()), "qvTGHdzF6KLavt4PO0gs2a6pQ00=");
        assert_eq!(text(hash("sha256", &hello, "base64url").unwrap()), "LPJNul-wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=");
        assert_eq!(
            text(hash("sha512_256", &hello, "hex").unwrap()),
            "e30d87cfa2a75db545eac4d61baf970366a8357c7f72fa95b52d0accb698f13a"
        );
        let key = Dynamic::from("key");
        assert_eq!(
            text(hmac("sha256", &key, &hello, "hex").unwrap()),
            "9307b3b915efb5171ff14d8cb55fbcc798c6c0ef1456d66ded1a6aa723a58b7b"
        );
        assert_eq!(text(hmac("md5", &key, &hello, "base64rawurl").unwrap()), "BBMHR6_KTXnjLofPIQTwhw");
        assert!(hash("sha1", &Dynamic::from_blob(b"hello".to_vec()), "binary").unwrap().is_blob());
    }

    /// k6 v1.1's values for md4 and ripemd160, as digests, HMACs and hashers (its output for
    /// the same calls in a script).
    #[test]
    fn md4_and_ripemd160_equal_k6s() {
        let hello = Dynamic::from("hello");
        assert_eq!(text(hash("md4", &hello, "hex").unwrap()), "866437cb7a794bce2b727acc0362ee27");
        assert_eq!(text(hash("md4", &Dynamic::from(""), "hex").unwrap()), "31d6cfe0d16ae931b73c59d7e0c089c0");
        assert_eq!(text(hash("ripemd160", &hello, "hex").unwrap()), "108f07b8382412612c048d07d13f814118445acd");
        let key = Dynamic::from("key");
        assert_eq!(text(hmac("md4", &key, &hello, "hex").unwrap()), "37466b39d12186d0231e6b783358cfe4");
        assert_eq!(text(hmac("ripemd160", &key, &hello, "base64").unwrap()), "Q6tR+AOmiouJTLMu4Z5oVOn05Gg=");
        let mut h = create("ripemd160", None).unwrap();
        update(&mut h, &Dynamic::from("hel")).unwrap();
        update(&mut h, &Dynamic::from("lo")).unwrap();
        assert_eq!(text(digest(&h, "hex").unwrap()), "108f07b8382412612c048d07d13f814118445acd");
        let mut m = create("md4", Some(&key)).unwrap();
        update(&mut m, &hello).unwrap();
        assert_eq!(text(digest(&m, "base64rawurl").unwrap()), "N0ZrOdEhhtAjHmt4M1jP5A");
    }

    #[test]
    fn unknown_algorithms_and_encodings_are_errors_naming_them() {
        let x = Dynamic::from("x");
        assert!(hash("sha1", &x, "hexa").unwrap_err().to_string().contains("Invalid output encoding: hexa"));
        assert!(hash("sha3", &x, "hex").unwrap_err().to_string().contains("invalid algorithm: sha3"));
        assert!(random_bytes(-1).is_err());
        assert_eq!(random_bytes(16).unwrap().cast::<rhai::Blob>().len(), 16);
    }
}
