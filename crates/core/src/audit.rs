//! The audit log (nhật ký): every write, and every read of a party member's file, appends an
//! entry. Entries form a hash chain: each stores the hash of the one before, so an edited, deleted
//! or reordered entry breaks the chain at a place [`verify`] names.

use sha2::{Digest, Sha256};

/// The hash before the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One entry as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub seq: i64,
    /// RFC 3339 timestamp.
    pub at: String,
    pub actor: String,
    pub action: String,
    pub resource: String,
    /// What changed, as short before → after text (never member data beyond identifiers).
    pub summary: String,
    pub prev_hash: String,
    pub hash: String,
}

/// What an entry records, before it is chained.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    pub actor: String,
    pub action: String,
    pub resource: String,
    pub summary: String,
}

/// The hash of an entry: SHA-256 over the previous hash and every field, each length-prefixed so no
/// two different entries share an encoding.
pub fn entry_hash(prev_hash: &str, seq: i64, at: &str, r: &AuditRecord) -> String {
    let mut h = Sha256::new();
    for field in [prev_hash, &seq.to_string(), at, &r.actor, &r.action, &r.resource, &r.summary] {
        h.update((field.len() as u64).to_be_bytes());
        h.update(field.as_bytes());
    }
    hex(&h.finalize())
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Where the chain breaks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Tamper {
    #[error("entry {seq} was altered: its contents do not match its hash")]
    Altered { seq: i64 },
    #[error("the chain breaks before entry {seq}: an entry was removed or moved there")]
    Broken { seq: i64 },
    #[error("entry numbers jump from {before} to {after}: entries in between were removed")]
    Gap { before: i64, after: i64 },
    #[error("the log ends at entry {last}, but {expected} entries were written: the latest were removed")]
    Truncated { last: i64, expected: i64 },
}

/// Checks a log read in `seq` order. `head` is the `(seq, hash)` of the last entry as recorded
/// beside the log, which catches removal of the latest entries.
pub fn verify(entries: &[AuditEntry], head: Option<(i64, &str)>) -> Result<usize, Tamper> {
    let mut prev = GENESIS.to_owned();
    let mut last_seq = 0;
    for e in entries {
        if e.seq != last_seq + 1 {
            return Err(Tamper::Gap { before: last_seq, after: e.seq });
        }
        if e.prev_hash != prev {
            return Err(Tamper::Broken { seq: e.seq });
        }
        let record = AuditRecord { actor: e.actor.clone(), action: e.action.clone(), resource: e.resource.clone(), summary: e.summary.clone() };
        if entry_hash(&e.prev_hash, e.seq, &e.at, &record) != e.hash {
            return Err(Tamper::Altered { seq: e.seq });
        }
        prev = e.hash.clone();
        last_seq = e.seq;
    }
    if let Some((head_seq, head_hash)) = head {
        if head_seq > last_seq {
            return Err(Tamper::Truncated { last: last_seq, expected: head_seq });
        }
        if head_seq == last_seq && head_hash != prev {
            return Err(Tamper::Altered { seq: last_seq });
        }
    }
    Ok(entries.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<AuditEntry> {
        let mut out: Vec<AuditEntry> = Vec::new();
        let mut prev = GENESIS.to_owned();
        for seq in 1..=n {
            let r = AuditRecord { actor: "admin".into(), action: "org.rename".into(), resource: format!("org:{seq}"), summary: "A → B".into() };
            let at = format!("2026-01-01T00:00:{seq:02}Z");
            let hash = entry_hash(&prev, seq, &at, &r);
            out.push(AuditEntry { seq, at, actor: r.actor, action: r.action, resource: r.resource, summary: r.summary, prev_hash: prev, hash: hash.clone() });
            prev = hash;
        }
        out
    }

    fn head(log: &[AuditEntry]) -> Option<(i64, &str)> {
        log.last().map(|e| (e.seq, e.hash.as_str()))
    }

    #[test]
    fn an_intact_log_verifies() {
        let log = chain(5);
        assert_eq!(verify(&log, head(&log)), Ok(5));
        assert_eq!(verify(&[], None), Ok(0));
    }

    #[test]
    fn edits_deletions_reorders_and_truncation_are_found() {
        let log = chain(5);
        let h = head(&log).map(|(s, h)| (s, h.to_owned()));
        let h = h.as_ref().map(|(s, h)| (*s, h.as_str()));

        let mut edited = log.clone();
        edited[2].summary = "A → C".into();
        assert_eq!(verify(&edited, h), Err(Tamper::Altered { seq: 3 }));

        let mut deleted = log.clone();
        deleted.remove(1);
        assert_eq!(verify(&deleted, h), Err(Tamper::Gap { before: 1, after: 3 }));

        // Renumbering after a deletion hides the gap but not the broken link.
        let mut renumbered = deleted.clone();
        for (i, e) in renumbered.iter_mut().enumerate() {
            e.seq = i as i64 + 1;
        }
        assert_eq!(verify(&renumbered, h), Err(Tamper::Broken { seq: 2 }));

        let mut reordered = log.clone();
        reordered.swap(1, 3);
        let (a, b) = (reordered[1].seq, reordered[3].seq);
        reordered[1].seq = b;
        reordered[3].seq = a;
        assert!(verify(&reordered, h).is_err());
        reordered.sort_by_key(|e| e.seq);
        assert_eq!(verify(&reordered, h), Err(Tamper::Broken { seq: 2 }));

        let truncated = &log[..3];
        assert_eq!(verify(truncated, h), Err(Tamper::Truncated { last: 3, expected: 5 }));
    }
}
