//! Transfer packages between installations: the member's file sealed by the sending installation
//! (checksum and Ed25519 signature over the exact payload bytes, each file's own hash inside),
//! carried to another province's thidua and registered there.

use base64::Engine;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use thidua_core::access::Action;
use thidua_core::audit::hex;
use thidua_core::member::{Gap, MemberId, MemberRecord};
use thidua_core::org::OrgId;
use thidua_core::transfer::{TransferKind, TransferState, TransferStep};
use thidua_store::{BadgeRow, TransferRow};

use crate::auth::{now_unix, Principal};
use crate::members::sniff;
use crate::{today, App, AppError, PackageProblem};

const FORMAT: &str = "thidua-transfer-package/1";
const KEY: &str = "installation_signing_key";

/// The sealed package as written to a file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Package {
    pub format: String,
    /// The payload as JSON text: the checksum and signature cover exactly these bytes.
    pub payload: String,
    pub checksum: String,
    pub public_key: String,
    pub signature: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PackagedFile {
    pub name: String,
    pub content_type: String,
    pub sha256: String,
    /// Base64.
    pub content: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PackagedPosition {
    pub title: String,
    pub from: Date,
    pub to: Option<Date>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PackagedBadge {
    pub milestone: u16,
    pub awarded_on: Date,
    pub early: bool,
    pub decision: Option<String>,
}

/// Everything that travels with the member.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Payload {
    pub exported_at: String,
    pub sending_org: String,
    pub receiving_org: String,
    pub kind: TransferKind,
    pub trigger_on: Date,
    pub introduced_on: Date,
    pub letter_number: Option<String>,
    pub late_reason: Option<String>,
    /// The record; `org` is the sender's own id, meaningless at the receiver and replaced there.
    pub member: MemberRecord,
    pub gaps: Vec<Gap>,
    pub positions: Vec<PackagedPosition>,
    pub badges: Vec<PackagedBadge>,
    /// The history of changes, as lines "date — who: what".
    pub history: Vec<String>,
    pub files: Vec<PackagedFile>,
}

/// What an import produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Imported {
    pub member: MemberId,
    pub transfer: i64,
}

fn sha(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn unhex<const N: usize>(text: &str) -> Option<[u8; N]> {
    if text.len() != 2 * N {
        return None;
    }
    let mut out = [0u8; N];
    for (i, chunk) in text.as_bytes().chunks(2).enumerate() {
        out[i] = u8::from_str_radix(std::str::from_utf8(chunk).ok()?, 16).ok()?;
    }
    Some(out)
}

/// A short, readable form of a public key, to compare by telephone or letter.
pub fn fingerprint(public_key_hex: &str) -> String {
    let digest = sha(public_key_hex.as_bytes());
    digest.as_bytes()[..16].chunks(4).map(|c| String::from_utf8_lossy(c).to_uppercase()).collect::<Vec<_>>().join("-")
}

/// A payload (JSON text) sealed as a package file: its checksum signed with the key made from
/// `seed`.
pub fn seal(payload: String, seed: &[u8; 32]) -> Result<Vec<u8>, AppError> {
    let key = SigningKey::from_bytes(seed);
    let checksum = sha(payload.as_bytes());
    let package = Package {
        format: FORMAT.into(),
        signature: hex(&key.sign(checksum.as_bytes()).to_bytes()),
        public_key: hex(&key.verifying_key().to_bytes()),
        checksum,
        payload,
    };
    Ok(serde_json::to_vec_pretty(&package).map_err(|_| PackageProblem::Unreadable)?)
}

impl App {
    /// This installation's signing key, made on first use and kept in the database.
    async fn signing_key(&self) -> Result<SigningKey, AppError> {
        if let Some(stored) = self.store.meta(KEY).await?
            && let Some(bytes) = unhex::<32>(&stored)
        {
            return Ok(SigningKey::from_bytes(&bytes));
        }
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(|_| AppError::NoRandomness)?;
        let mut tx = self.store.begin().await?;
        tx.set_meta(KEY, &hex(&seed)).await?;
        let key = SigningKey::from_bytes(&seed);
        let record = thidua_core::audit::AuditRecord {
            actor: "system".into(),
            action: "installation.key".into(),
            resource: "system".into(),
            summary: fingerprint(&hex(&key.verifying_key().to_bytes())),
        };
        tx.audit(None, &record).await?;
        tx.commit().await?;
        Ok(key)
    }

    /// The fingerprint other installations check this one's packages against.
    pub async fn installation_fingerprint(&self) -> Result<String, AppError> {
        Ok(fingerprint(&hex(&self.signing_key().await?.verifying_key().to_bytes())))
    }

    /// Seals the member's file for a transfer to another installation. Sending side only.
    pub async fn export_transfer_package(&self, p: &Principal, id: i64) -> Result<Vec<u8>, AppError> {
        let row = self.store.transfer(id).await?.ok_or(AppError::NotFound)?;
        self.require_org(p, Action::ManageTransfers, row.from_org, today()).await?;
        let external = row.external_to.clone().ok_or(PackageProblem::NotExternal)?;
        let member = self.store.member(row.member).await?.ok_or(AppError::NotFound)?;
        let mut files = Vec::new();
        for meta in self.store.member_files(member.id).await? {
            if let Some((meta, bytes)) = self.store.member_file(member.id, meta.id).await? {
                files.push(PackagedFile {
                    name: meta.name,
                    content_type: meta.content_type,
                    sha256: meta.sha256,
                    content: base64::engine::general_purpose::STANDARD.encode(bytes),
                });
            }
        }
        let sending = self.org_names(&[row.from_org].into_iter().collect()).await?;
        let payload = Payload {
            exported_at: jiff::Timestamp::now().to_string(),
            sending_org: sending.get(&row.from_org).cloned().unwrap_or_default(),
            receiving_org: external,
            kind: row.kind,
            trigger_on: row.trigger_on,
            introduced_on: row.introduced_on,
            letter_number: row.letter_number.clone(),
            late_reason: row.late_reason.clone(),
            member: member.record.clone(),
            gaps: self.store.member_gaps(&[member.id]).await?.into_iter().map(|(_, g)| g).collect(),
            positions: self.store.member_positions(member.id).await?.into_iter().map(|p| PackagedPosition { title: p.title, from: p.from, to: p.to }).collect(),
            badges: self
                .store
                .member_badges(&[member.id])
                .await?
                .into_iter()
                .map(|b| PackagedBadge { milestone: b.milestone, awarded_on: b.awarded_on, early: b.early, decision: b.decision })
                .collect(),
            history: self
                .store
                .member_changes(member.id)
                .await?
                .into_iter()
                .rev()
                .map(|c| format!("{} — {}: {}", jiff::Timestamp::from_second(c.at_unix).map(|t| t.to_string()).unwrap_or_default(), c.actor, c.summary))
                .collect(),
            files,
        };
        let payload = serde_json::to_string(&payload).map_err(|_| PackageProblem::Unreadable)?;
        let bytes = seal(payload, &self.signing_key().await?.to_bytes())?;
        let mut tx = self.store.begin().await?;
        tx.audit(p.user, &p.record("transfer.package.export", format!("transfer:{id} member:{}", member.id.0), format!("{} bytes", bytes.len()))).await?;
        tx.commit().await?;
        Ok(bytes)
    }

    /// Checks a package's seal and returns what it carries and the sender's key fingerprint.
    pub fn open_package(bytes: &[u8]) -> Result<(Payload, String), AppError> {
        let package: Package = serde_json::from_slice(bytes).map_err(|_| PackageProblem::Unreadable)?;
        if package.format != FORMAT {
            return Err(PackageProblem::Unreadable.into());
        }
        if sha(package.payload.as_bytes()) != package.checksum {
            return Err(PackageProblem::Tampered("checksum").into());
        }
        let key = unhex::<32>(&package.public_key).and_then(|k| VerifyingKey::from_bytes(&k).ok()).ok_or(PackageProblem::Tampered("key"))?;
        let signature = unhex::<64>(&package.signature).map(|s| Signature::from_bytes(&s)).ok_or(PackageProblem::Tampered("signature"))?;
        key.verify(package.checksum.as_bytes(), &signature).map_err(|_| PackageProblem::Tampered("signature"))?;
        let payload: Payload = serde_json::from_str(&package.payload).map_err(|_| PackageProblem::Unreadable)?;
        for f in &payload.files {
            let bytes = base64::engine::general_purpose::STANDARD.decode(&f.content).map_err(|_| PackageProblem::Tampered("file"))?;
            if sha(&bytes) != f.sha256 {
                return Err(PackageProblem::Tampered("file").into());
            }
        }
        Ok((payload, fingerprint(&package.public_key)))
    }

    /// Registers the member of a package at `receiving_org`, with the whole record, and opens the
    /// transfer as presented there, in one transaction.
    pub async fn import_transfer_package(&self, p: &Principal, bytes: &[u8], receiving_org: OrgId) -> Result<Imported, AppError> {
        self.require_org(p, Action::ManageTransfers, receiving_org, today()).await?;
        self.require_org(p, Action::EditMember, receiving_org, today()).await?;
        let (payload, sender) = App::open_package(bytes)?;
        if let Some(c) = &payload.member.cccd
            && self.store.member_by_cccd(c).await?.is_some()
        {
            return Err(PackageProblem::AlreadyHere.into());
        }
        let record = MemberRecord { org: receiving_org, ..payload.member.clone() };
        self.check_record(&record, None).await?;
        let now = now_unix();
        let on = today();
        let mut tx = self.store.begin().await?;
        let member = tx.create_member(&record, now).await?;
        for g in &payload.gaps {
            tx.add_gap(member, g).await?;
        }
        for pos in &payload.positions {
            tx.add_position(member, &pos.title, None, pos.from, pos.to).await?;
        }
        for b in &payload.badges {
            tx.add_badge(&BadgeRow { member, milestone: b.milestone, awarded_on: b.awarded_on, early: b.early, decision: b.decision.clone() }).await?;
        }
        for line in &payload.history {
            tx.add_member_change(member, "package", &format!("{}: {line}", payload.sending_org), now).await?;
        }
        for f in &payload.files {
            let bytes = base64::engine::general_purpose::STANDARD.decode(&f.content).map_err(|_| PackageProblem::Tampered("file"))?;
            let content_type = sniff(&bytes).unwrap_or("application/octet-stream");
            tx.add_member_file(member, &f.name, content_type, &bytes, &f.sha256, now, "package").await?;
        }
        let row = TransferRow {
            id: 0,
            member,
            kind: payload.kind,
            from_org: receiving_org,
            to_org: Some(receiving_org),
            addressed_org: None,
            external_to: None,
            external_from: Some(payload.sending_org.clone()),
            trigger_on: payload.trigger_on,
            introduced_on: payload.introduced_on,
            letter_number: payload.letter_number.clone(),
            late_reason: payload.late_reason.clone(),
            state: TransferState::Introduced,
            last_step_on: payload.introduced_on,
            reported_on: None,
            report_late_reason: None,
            received_on: None,
            completed_on: None,
            closed_reason: None,
            created_by: p.username.clone(),
        };
        let transfer = tx.create_transfer(&row, now).await?;
        // The member brings the letter with the package: it is presented today.
        let presented = TransferStep::Report { on: on.max(payload.introduced_on), late_reason: Some(format!("package sealed by {sender}")) };
        tx.record_transfer_step(transfer, TransferState::Introduced, &presented, &p.username, now).await?;
        tx.add_member_change(member, &p.username, &format!("imported from package of {} (key {sender})", payload.sending_org), now).await?;
        let resource = format!("transfer:{transfer} member:{} org:{}", member.0, receiving_org.0);
        tx.audit(p.user, &p.record("transfer.package.import", resource, format!("key {sender}"))).await?;
        tx.commit().await?;
        Ok(Imported { member, transfer })
    }
}
