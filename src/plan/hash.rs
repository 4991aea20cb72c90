//! The identities of a plan: the hash of all of it, and the hash of the work it describes.

use super::Plan;
use sha2::{Digest, Sha256};

/// SHA-256 of the plan's JSON.
pub fn plan_hash(plan: &Plan) -> String {
    let json = serde_json::to_vec(plan).expect("plans serialise");
    hex(&Sha256::digest(&json))
}

/// SHA-256 of the plan's JSON without source positions, the source's hash, expectations,
/// tolerances, estimates and the folder data paths are resolved from: equal for two plans
/// that compute the same thing, even from edited files or a file named by another path
/// (`protocols/x.sleep` and `/home/me/somnia/protocols/x.sleep`), so a run on a cluster node
/// and one on a laptop have the same identity.
pub fn work_hash(plan: &Plan) -> String {
    fn strip_spans(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(m) => {
                m.remove("span");
                m.remove("base_dir");
                m.values_mut().for_each(strip_spans);
            }
            serde_json::Value::Array(xs) => xs.iter_mut().for_each(strip_spans),
            _ => {}
        }
    }
    let mut v = serde_json::to_value(plan).expect("plans serialise");
    if let Some(m) = v.as_object_mut() {
        for k in [
            "source",
            "source_hash",
            "expectations",
            "tolerances",
            "estimate",
        ] {
            m.remove(k);
        }
    }
    strip_spans(&mut v);
    hex(&Sha256::digest(v.to_string().as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
