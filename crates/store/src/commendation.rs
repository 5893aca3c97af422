//! Commendation: rulebook versions, people and their initiatives, dossiers with their steps and
//! files, decisions and the award registry with revocations.

use jiff::civil::Date;
use sqlx::any::AnyRow;
use sqlx::Row;
use thidua_core::commendation::{AwardLevel, DossierState};
use thidua_core::date::iso;
use thidua_core::evaluation::Level;
use thidua_core::member::MemberId;
use thidua_core::org::OrgId;
use thidua_core::vi::fold;

use crate::db::{chunk_page, cut_page, date_col, page_clause, Store, StoreError, Tx, IN_CHUNK};
use crate::members::placeholders;

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(what.into())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RulebookRow {
    pub id: i64,
    pub version: String,
    /// The rulebook as JSON.
    pub body: String,
    pub note: String,
    pub created_by: String,
    pub created_unix: i64,
}

/// A person awarded as an individual.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonRow {
    pub id: i64,
    pub full_name: String,
    /// Where the person works.
    pub org: OrgId,
    pub member: Option<MemberId>,
    pub position: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InitiativeRow {
    pub id: i64,
    pub person: i64,
    pub name: String,
    pub level: AwardLevel,
    pub recognized_on: Date,
    pub decision: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionRow {
    pub id: i64,
    pub issuer: OrgId,
    pub number_symbol: String,
    pub decided_on: Date,
    pub signer: String,
    pub summary: String,
}

/// Who an award or a dossier is for: a collective or a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Nominee {
    Org(OrgId),
    Person(i64),
}

impl Nominee {
    fn columns(self) -> (Option<i64>, Option<i64>) {
        match self {
            Nominee::Org(o) => (Some(o.0), None),
            Nominee::Person(p) => (None, Some(p)),
        }
    }

    fn from_columns(org: Option<i64>, person: Option<i64>) -> Result<Nominee, StoreError> {
        match (org, person) {
            (Some(o), None) => Ok(Nominee::Org(OrgId(o))),
            (None, Some(p)) => Ok(Nominee::Person(p)),
            _ => Err(corrupt("nominee")),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevocationRow {
    pub decided_on: Date,
    pub decision: String,
    pub reason: String,
    /// What is to be recovered (money, the certificate), as written.
    pub recovery: String,
    pub created_by: String,
}

/// An award of the registry with its decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwardRow {
    pub id: i64,
    pub decision: DecisionRow,
    pub title: String,
    pub year: i16,
    pub nominee: Nominee,
    pub revocation: Option<RevocationRow>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DossierRow {
    pub id: i64,
    pub year: i16,
    pub title: String,
    pub nominee: Nominee,
    pub proposer: OrgId,
    /// The organization handling it now.
    pub at_org: OrgId,
    pub state: DossierState,
    pub achievements: String,
    /// The engine's answer as captured at submission (JSON).
    pub eligibility: Option<String>,
    /// The poll and option the council voted on.
    pub poll: Option<(i64, i64)>,
    /// The vote on the nominee as recorded (JSON).
    pub vote: Option<String>,
    pub return_reason: Option<String>,
    pub award: Option<i64>,
    pub copied_from: Option<i64>,
    pub created_by: String,
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DossierStepRow {
    pub from: Option<DossierState>,
    pub to: DossierState,
    pub at_org: OrgId,
    pub actor: String,
    pub at_unix: i64,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DossierFileRow {
    pub id: i64,
    pub dossier: i64,
    pub hash: String,
    pub name: String,
    pub content_type: String,
    pub size: i64,
}


/// A member's streak as the database found it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreakRow {
    pub member: MemberId,
    pub name: String,
    /// Where the member's record is today.
    pub org: OrgId,
    /// The levels of each year of the window (several when a year had several results).
    pub by_year: Vec<(i16, Level)>,
}

/// Which awards to list.
#[derive(Debug, Clone, Default)]
pub struct AwardFilter {
    /// Collectives among these, or people working in these.
    pub orgs: Option<Vec<OrgId>>,
    pub person: Option<i64>,
    pub title: Option<String>,
    pub from_year: Option<i16>,
    pub to_year: Option<i16>,
    pub with_revoked: bool,
    /// `(limit, offset)`: one page of the awards, in their order; all of them when `None`.
    pub page: Option<(i64, i64)>,
}

const PERSON_COLUMNS: &str = "id, full_name, org_id, member_id, position";
const DOSSIER_COLUMNS: &str = "id, year, title, org_id, person_id, proposer_org_id, at_org_id, state, achievements, eligibility, poll_id, poll_option, vote, \
    return_reason, award_id, copied_from, created_by, version";
const AWARD_SELECT: &str = "SELECT a.id, a.title, a.year, a.org_id, a.person_id, d.id AS decision_id, d.issuer_org_id, d.number_symbol, d.decided_on, d.signer, d.summary, \
    r.decided_on AS r_on, r.decision AS r_decision, r.reason AS r_reason, r.recovery AS r_recovery, r.created_by AS r_by \
    FROM award a JOIN award_decision d ON d.id = a.decision_id LEFT JOIN award_revocation r ON r.award_id = a.id";

fn year_col(r: &AnyRow, col: &str) -> Result<i16, StoreError> {
    i16::try_from(r.try_get::<i64, _>(col)?).map_err(|_| corrupt("year"))
}

fn person_from_row(r: &AnyRow) -> Result<PersonRow, StoreError> {
    Ok(PersonRow {
        id: r.try_get("id")?,
        full_name: r.try_get("full_name")?,
        org: OrgId(r.try_get("org_id")?),
        member: r.try_get::<Option<i64>, _>("member_id")?.map(MemberId),
        position: r.try_get("position")?,
    })
}

fn decision_from_row(r: &AnyRow, id_col: &str) -> Result<DecisionRow, StoreError> {
    Ok(DecisionRow {
        id: r.try_get(id_col)?,
        issuer: OrgId(r.try_get("issuer_org_id")?),
        number_symbol: r.try_get("number_symbol")?,
        decided_on: date_col(r, "decided_on")?,
        signer: r.try_get("signer")?,
        summary: r.try_get("summary")?,
    })
}

fn award_from_row(r: &AnyRow) -> Result<AwardRow, StoreError> {
    let revocation = match r.try_get::<Option<String>, _>("r_decision")? {
        Some(decision) => Some(RevocationRow {
            decided_on: date_col(r, "r_on")?,
            decision,
            reason: r.try_get("r_reason")?,
            recovery: r.try_get("r_recovery")?,
            created_by: r.try_get("r_by")?,
        }),
        None => None,
    };
    Ok(AwardRow {
        id: r.try_get("id")?,
        decision: decision_from_row(r, "decision_id")?,
        title: r.try_get("title")?,
        year: year_col(r, "year")?,
        nominee: Nominee::from_columns(r.try_get("org_id")?, r.try_get("person_id")?)?,
        revocation,
    })
}

fn dossier_from_row(r: &AnyRow) -> Result<DossierRow, StoreError> {
    let state: String = r.try_get("state")?;
    let poll = match (r.try_get::<Option<i64>, _>("poll_id")?, r.try_get::<Option<i64>, _>("poll_option")?) {
        (Some(p), Some(o)) => Some((p, o)),
        _ => None,
    };
    Ok(DossierRow {
        id: r.try_get("id")?,
        year: year_col(r, "year")?,
        title: r.try_get("title")?,
        nominee: Nominee::from_columns(r.try_get("org_id")?, r.try_get("person_id")?)?,
        proposer: OrgId(r.try_get("proposer_org_id")?),
        at_org: OrgId(r.try_get("at_org_id")?),
        state: DossierState::from_code(&state).ok_or_else(|| corrupt("dossier state"))?,
        achievements: r.try_get("achievements")?,
        eligibility: r.try_get("eligibility")?,
        poll,
        vote: r.try_get("vote")?,
        return_reason: r.try_get("return_reason")?,
        award: r.try_get("award_id")?,
        copied_from: r.try_get("copied_from")?,
        created_by: r.try_get("created_by")?,
        version: r.try_get("version")?,
    })
}

impl Tx {
    pub async fn add_rulebook(&mut self, version: &str, body: &str, note: &str, by: &str, at_unix: i64) -> Result<i64, StoreError> {
        let row = sqlx::query("INSERT INTO commendation_rulebook (version, body, note, created_by, created_unix) VALUES ($1, $2, $3, $4, $5) RETURNING id")
            .bind(version)
            .bind(body)
            .bind(note)
            .bind(by)
            .bind(at_unix)
            .fetch_one(&mut *self.tx)
            .await?;
        Ok(row.try_get(0)?)
    }

    pub async fn add_person(&mut self, p: &PersonRow, by: &str) -> Result<i64, StoreError> {
        let row = sqlx::query("INSERT INTO person (full_name, name_fold, org_id, member_id, position, created_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id")
            .bind(p.full_name.as_str())
            .bind(fold(&p.full_name))
            .bind(p.org.0)
            .bind(p.member.map(|m| m.0))
            .bind(p.position.clone())
            .bind(by)
            .fetch_one(&mut *self.tx)
            .await?;
        Ok(row.try_get(0)?)
    }

    /// The person standing for a member, made on first need (one per member).
    pub async fn person_of_member(&mut self, member: MemberId, name: &str, org: OrgId, by: &str) -> Result<i64, StoreError> {
        sqlx::query("INSERT INTO person (full_name, name_fold, org_id, member_id, position, created_by) VALUES ($1, $2, $3, $4, NULL, $5) ON CONFLICT (member_id) DO NOTHING")
            .bind(name)
            .bind(fold(name))
            .bind(org.0)
            .bind(member.0)
            .bind(by)
            .execute(&mut *self.tx)
            .await?;
        let row = sqlx::query("SELECT id FROM person WHERE member_id = $1").bind(member.0).fetch_one(&mut *self.tx).await?;
        Ok(row.try_get(0)?)
    }

    pub async fn add_initiative(&mut self, i: &InitiativeRow, by: &str) -> Result<i64, StoreError> {
        let row = sqlx::query("INSERT INTO initiative (person_id, name, level, recognized_on, decision, created_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id")
            .bind(i.person)
            .bind(i.name.as_str())
            .bind(i.level.code())
            .bind(iso(i.recognized_on))
            .bind(i.decision.as_str())
            .bind(by)
            .fetch_one(&mut *self.tx)
            .await?;
        Ok(row.try_get(0)?)
    }

    /// Records a decision; `None` when the issuer already has one with that number and symbol.
    pub async fn add_decision(&mut self, d: &DecisionRow, by: &str) -> Result<Option<i64>, StoreError> {
        let row = sqlx::query(
            "INSERT INTO award_decision (issuer_org_id, number_symbol, decided_on, signer, summary, created_by) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (issuer_org_id, number_symbol) DO NOTHING RETURNING id",
        )
        .bind(d.issuer.0)
        .bind(d.number_symbol.as_str())
        .bind(iso(d.decided_on))
        .bind(d.signer.as_str())
        .bind(d.summary.as_str())
        .bind(by)
        .fetch_optional(&mut *self.tx)
        .await?;
        row.map(|r| r.try_get(0)).transpose().map_err(Into::into)
    }

    pub async fn add_award(&mut self, decision: i64, title: &str, year: i16, nominee: Nominee) -> Result<i64, StoreError> {
        let (org, person) = nominee.columns();
        let row = sqlx::query("INSERT INTO award (decision_id, title, year, org_id, person_id, revoked) VALUES ($1, $2, $3, $4, $5, 0) RETURNING id")
            .bind(decision)
            .bind(title)
            .bind(i64::from(year))
            .bind(org)
            .bind(person)
            .fetch_one(&mut *self.tx)
            .await?;
        Ok(row.try_get(0)?)
    }

    /// Revokes an award; `false` when it was revoked already.
    pub async fn revoke_award(&mut self, award: i64, r: &RevocationRow, at_unix: i64) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "INSERT INTO award_revocation (award_id, decided_on, decision, reason, recovery, created_by, at_unix) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (award_id) DO NOTHING",
        )
        .bind(award)
        .bind(iso(r.decided_on))
        .bind(r.decision.as_str())
        .bind(r.reason.as_str())
        .bind(r.recovery.as_str())
        .bind(r.created_by.as_str())
        .bind(at_unix)
        .execute(&mut *self.tx)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        sqlx::query("UPDATE award SET revoked = 1 WHERE id = $1").bind(award).execute(&mut *self.tx).await?;
        Ok(true)
    }

    pub async fn create_dossier(&mut self, d: &DossierRow) -> Result<i64, StoreError> {
        let (org, person) = d.nominee.columns();
        let row = sqlx::query(
            "INSERT INTO dossier (year, title, org_id, person_id, proposer_org_id, at_org_id, state, achievements, copied_from, created_by, version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1) RETURNING id",
        )
        .bind(i64::from(d.year))
        .bind(d.title.as_str())
        .bind(org)
        .bind(person)
        .bind(d.proposer.0)
        .bind(d.at_org.0)
        .bind(d.state.code())
        .bind(d.achievements.as_str())
        .bind(d.copied_from)
        .bind(d.created_by.as_str())
        .fetch_one(&mut *self.tx)
        .await?;
        Ok(row.try_get(0)?)
    }

    /// Writes a dossier's changing fields if it is still at `d.version`; `false` when someone
    /// changed it first.
    pub async fn update_dossier(&mut self, d: &DossierRow) -> Result<bool, StoreError> {
        let (org, person) = d.nominee.columns();
        let done = sqlx::query(
            "UPDATE dossier SET year = $1, title = $2, org_id = $3, person_id = $4, at_org_id = $5, state = $6, achievements = $7, eligibility = $8, \
             poll_id = $9, poll_option = $10, vote = $11, return_reason = $12, award_id = $13, version = version + 1 WHERE id = $14 AND version = $15",
        )
        .bind(i64::from(d.year))
        .bind(d.title.as_str())
        .bind(org)
        .bind(person)
        .bind(d.at_org.0)
        .bind(d.state.code())
        .bind(d.achievements.as_str())
        .bind(d.eligibility.clone())
        .bind(d.poll.map(|p| p.0))
        .bind(d.poll.map(|p| p.1))
        .bind(d.vote.clone())
        .bind(d.return_reason.clone())
        .bind(d.award)
        .bind(d.id)
        .bind(d.version)
        .execute(&mut *self.tx)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The dossier, locked for this transaction.
    pub async fn lock_dossier(&mut self, id: i64) -> Result<Option<DossierRow>, StoreError> {
        let lock = if self.backend == crate::db::Backend::Postgres { " FOR UPDATE" } else { "" };
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {DOSSIER_COLUMNS} FROM dossier WHERE id = $1{lock}"))).bind(id).fetch_optional(&mut *self.tx).await?;
        row.as_ref().map(dossier_from_row).transpose()
    }

    pub async fn add_dossier_step(&mut self, dossier: i64, s: &DossierStepRow) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO dossier_step (dossier_id, from_state, to_state, at_org_id, actor, at_unix, reason) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(dossier)
            .bind(s.from.map(DossierState::code))
            .bind(s.to.code())
            .bind(s.at_org.0)
            .bind(s.actor.as_str())
            .bind(s.at_unix)
            .bind(s.reason.clone())
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    pub async fn add_dossier_file(&mut self, f: &DossierFileRow) -> Result<i64, StoreError> {
        let row = sqlx::query("INSERT INTO dossier_file (dossier_id, blob_hash, name, content_type, size) VALUES ($1, $2, $3, $4, $5) RETURNING id")
            .bind(f.dossier)
            .bind(f.hash.as_str())
            .bind(f.name.as_str())
            .bind(f.content_type.as_str())
            .bind(f.size)
            .fetch_one(&mut *self.tx)
            .await?;
        Ok(row.try_get(0)?)
    }
}

impl Store {
    /// The id of the latest rulebook version: versions are only ever added.
    pub async fn latest_rulebook_id(&self) -> Result<Option<i64>, StoreError> {
        Ok(sqlx::query("SELECT MAX(id) FROM commendation_rulebook").fetch_one(&self.pool).await?.try_get(0)?)
    }

    pub async fn latest_rulebook(&self) -> Result<Option<RulebookRow>, StoreError> {
        let row = sqlx::query("SELECT id, version, body, note, created_by, created_unix FROM commendation_rulebook ORDER BY id DESC LIMIT 1").fetch_optional(&self.pool).await?;
        row.map(|r| {
            Ok(RulebookRow {
                id: r.try_get(0)?,
                version: r.try_get(1)?,
                body: r.try_get(2)?,
                note: r.try_get(3)?,
                created_by: r.try_get(4)?,
                created_unix: r.try_get(5)?,
            })
        })
        .transpose()
    }

    /// Every version of the rulebook, newest first, without the body.
    pub async fn rulebook_versions(&self) -> Result<Vec<RulebookRow>, StoreError> {
        let rows = sqlx::query("SELECT id, version, note, created_by, created_unix FROM commendation_rulebook ORDER BY id DESC").fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| Ok(RulebookRow { id: r.try_get(0)?, version: r.try_get(1)?, body: String::new(), note: r.try_get(2)?, created_by: r.try_get(3)?, created_unix: r.try_get(4)? }))
            .collect()
    }

    pub async fn person(&self, id: i64) -> Result<Option<PersonRow>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {PERSON_COLUMNS} FROM person WHERE id = $1"))).bind(id).fetch_optional(&self.pool).await?;
        row.as_ref().map(person_from_row).transpose()
    }

    pub async fn person_for_member(&self, member: MemberId) -> Result<Option<PersonRow>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {PERSON_COLUMNS} FROM person WHERE member_id = $1"))).bind(member.0).fetch_optional(&self.pool).await?;
        row.as_ref().map(person_from_row).transpose()
    }

    /// The people of the given ids (unknown ids are left out).
    pub async fn persons(&self, ids: &std::collections::BTreeSet<i64>) -> Result<Vec<PersonRow>, StoreError> {
        let ids: Vec<i64> = ids.iter().copied().collect();
        let mut out = Vec::new();
        for chunk in ids.chunks(IN_CHUNK) {
            let sql = format!("SELECT {PERSON_COLUMNS} FROM person WHERE id IN ({})", placeholders(1, chunk.len()));
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for id in chunk {
                q = q.bind(*id);
            }
            for r in q.fetch_all(&self.pool).await? {
                out.push(person_from_row(&r)?);
            }
        }
        Ok(out)
    }

    /// The people working in one of `orgs`.
    pub async fn persons_in(&self, orgs: &[OrgId]) -> Result<Vec<PersonRow>, StoreError> {
        let mut out = Vec::new();
        for chunk in orgs.chunks(IN_CHUNK) {
            let sql = format!("SELECT {PERSON_COLUMNS} FROM person WHERE org_id IN ({}) ORDER BY name_fold, id", placeholders(1, chunk.len()));
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for o in chunk {
                q = q.bind(o.0);
            }
            for r in q.fetch_all(&self.pool).await? {
                out.push(person_from_row(&r)?);
            }
        }
        Ok(out)
    }

    pub async fn initiatives(&self, person: i64) -> Result<Vec<InitiativeRow>, StoreError> {
        let rows = sqlx::query("SELECT id, person_id, name, level, recognized_on, decision FROM initiative WHERE person_id = $1 ORDER BY recognized_on, id")
            .bind(person)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                let level: String = r.try_get(3)?;
                Ok(InitiativeRow {
                    id: r.try_get(0)?,
                    person: r.try_get(1)?,
                    name: r.try_get(2)?,
                    level: AwardLevel::from_code(&level).ok_or_else(|| corrupt("initiative level"))?,
                    recognized_on: date_col(r, "recognized_on")?,
                    decision: r.try_get(5)?,
                })
            })
            .collect()
    }

    pub async fn decision(&self, id: i64) -> Result<Option<DecisionRow>, StoreError> {
        let row = sqlx::query("SELECT id, issuer_org_id, number_symbol, decided_on, signer, summary FROM award_decision WHERE id = $1").bind(id).fetch_optional(&self.pool).await?;
        row.as_ref().map(|r| decision_from_row(r, "id")).transpose()
    }

    /// Decisions of these issuers (all when `None`), newest first.
    /// Decisions of `issuers` (all when `None`), newest first: all of them or one page
    /// (`(limit, offset)`).
    pub async fn decisions(&self, issuers: Option<&[OrgId]>, page: Option<(i64, i64)>) -> Result<Vec<DecisionRow>, StoreError> {
        if let Some(ids) = issuers.filter(|ids| ids.len() > IN_CHUNK) {
            // Each chunk's first rows hold the page's; they are merged, then the page is cut.
            let first = chunk_page(page);
            let mut out = Vec::new();
            for chunk in ids.chunks(IN_CHUNK) {
                out.extend(Box::pin(self.decisions(Some(chunk), first)).await?);
            }
            out.sort_by_key(|d| std::cmp::Reverse((d.decided_on, d.id)));
            return Ok(cut_page(out, page));
        }
        let (filter, ids) = match issuers {
            Some([]) => return Ok(Vec::new()),
            Some(ids) => (format!("WHERE issuer_org_id IN ({})", placeholders(1, ids.len())), ids),
            None => (String::new(), &[][..]),
        };
        let page = page_clause(page);
        let sql = format!("SELECT id, issuer_org_id, number_symbol, decided_on, signer, summary FROM award_decision {filter} ORDER BY decided_on DESC, id DESC{page}");
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for o in ids {
            q = q.bind(o.0);
        }
        q.fetch_all(&self.pool).await?.iter().map(|r| decision_from_row(r, "id")).collect()
    }

    pub async fn award(&self, id: i64) -> Result<Option<AwardRow>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("{AWARD_SELECT} WHERE a.id = $1"))).bind(id).fetch_optional(&self.pool).await?;
        row.as_ref().map(award_from_row).transpose()
    }

    /// The awards of the registry that `f` picks, oldest year first.
    pub async fn awards(&self, f: &AwardFilter) -> Result<Vec<AwardRow>, StoreError> {
        if let Some(orgs) = f.orgs.as_ref().filter(|o| o.len() > IN_CHUNK) {
            // An award names one organization or one person of one organization: no award is
            // in two chunks. A page is cut from the chunks' first rows merged.
            let mut out = Vec::new();
            let page = chunk_page(f.page);
            for chunk in orgs.chunks(IN_CHUNK) {
                out.extend(Box::pin(self.awards(&AwardFilter { orgs: Some(chunk.to_vec()), page, ..f.clone() })).await?);
            }
            out.sort_by_key(|a| (a.year, a.decision.decided_on, a.id));
            return Ok(cut_page(out, f.page));
        }
        let mut conds = Vec::new();
        let mut n = 0;
        let mut next = || {
            n += 1;
            format!("${n}")
        };
        let orgs = f.orgs.clone().unwrap_or_default();
        if f.orgs.is_some() {
            if orgs.is_empty() {
                return Ok(Vec::new());
            }
            let a: Vec<String> = orgs.iter().map(|_| next()).collect();
            let b: Vec<String> = orgs.iter().map(|_| next()).collect();
            // Two index lookups joined, not an OR: PostgreSQL reads the whole award table for
            // `org_id IN … OR person_id IN (SELECT …)`.
            conds.push(format!(
                "a.id IN (SELECT id FROM award WHERE org_id IN ({}) UNION ALL SELECT w.id FROM award w JOIN person p ON p.id = w.person_id WHERE p.org_id IN ({}))",
                a.join(", "),
                b.join(", ")
            ));
        }
        if f.person.is_some() {
            conds.push(format!("a.person_id = {}", next()));
        }
        if f.title.is_some() {
            conds.push(format!("a.title = {}", next()));
        }
        if f.from_year.is_some() {
            conds.push(format!("a.year >= {}", next()));
        }
        if f.to_year.is_some() {
            conds.push(format!("a.year <= {}", next()));
        }
        if !f.with_revoked {
            conds.push("a.revoked = 0".into());
        }
        let filter = if conds.is_empty() { String::new() } else { format!(" WHERE {}", conds.join(" AND ")) };
        let page = page_clause(f.page);
        let sql = format!("{AWARD_SELECT}{filter} ORDER BY a.year, d.decided_on, a.id{page}");
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for o in orgs.iter().chain(orgs.iter()) {
            q = q.bind(o.0);
        }
        if let Some(p) = f.person {
            q = q.bind(p);
        }
        if let Some(t) = &f.title {
            q = q.bind(t.clone());
        }
        if let Some(y) = f.from_year {
            q = q.bind(i64::from(y));
        }
        if let Some(y) = f.to_year {
            q = q.bind(i64::from(y));
        }
        q.fetch_all(&self.pool).await?.iter().map(award_from_row).collect()
    }

    pub async fn awards_of_decision(&self, decision: i64) -> Result<Vec<AwardRow>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!("{AWARD_SELECT} WHERE a.decision_id = $1 ORDER BY a.id"))).bind(decision).fetch_all(&self.pool).await?;
        rows.iter().map(award_from_row).collect()
    }

    pub async fn dossier(&self, id: i64) -> Result<Option<DossierRow>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {DOSSIER_COLUMNS} FROM dossier WHERE id = $1"))).bind(id).fetch_optional(&self.pool).await?;
        row.as_ref().map(dossier_from_row).transpose()
    }

    /// Dossiers proposed by, or now handled by, one of `orgs`; of `year` when given; newest
    /// first, all of them or one page (`(limit, offset)`).
    pub async fn dossiers(&self, orgs: &[OrgId], year: Option<i16>, page: Option<(i64, i64)>) -> Result<Vec<DossierRow>, StoreError> {
        if orgs.is_empty() {
            return Ok(Vec::new());
        }
        if orgs.len() > IN_CHUNK {
            // Each chunk's first rows hold the page's; they are merged, then the page is cut.
            let first = chunk_page(page);
            let mut out = Vec::new();
            for chunk in orgs.chunks(IN_CHUNK) {
                out.extend(Box::pin(self.dossiers(chunk, year, first)).await?);
            }
            // Proposed in one chunk and handled in another: listed once.
            out.sort_by_key(|d| std::cmp::Reverse((d.year, d.id)));
            out.dedup_by_key(|d| d.id);
            return Ok(cut_page(out, page));
        }
        let a = placeholders(2, orgs.len());
        let b = placeholders(2 + orgs.len(), orgs.len());
        let page = page_clause(page);
        let sql = format!("SELECT {DOSSIER_COLUMNS} FROM dossier WHERE ($1 IS NULL OR year = $1) AND (proposer_org_id IN ({a}) OR at_org_id IN ({b})) ORDER BY year DESC, id DESC{page}");
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(year.map(i64::from));
        for o in orgs.iter().chain(orgs) {
            q = q.bind(o.0);
        }
        q.fetch_all(&self.pool).await?.iter().map(dossier_from_row).collect()
    }

    pub async fn dossier_steps(&self, dossier: i64) -> Result<Vec<DossierStepRow>, StoreError> {
        let rows = sqlx::query("SELECT from_state, to_state, at_org_id, actor, at_unix, reason FROM dossier_step WHERE dossier_id = $1 ORDER BY id").bind(dossier).fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                let from: Option<String> = r.try_get(0)?;
                let to: String = r.try_get(1)?;
                Ok(DossierStepRow {
                    from: from.map(|f| DossierState::from_code(&f).ok_or_else(|| corrupt("dossier state"))).transpose()?,
                    to: DossierState::from_code(&to).ok_or_else(|| corrupt("dossier state"))?,
                    at_org: OrgId(r.try_get(2)?),
                    actor: r.try_get(3)?,
                    at_unix: r.try_get(4)?,
                    reason: r.try_get(5)?,
                })
            })
            .collect()
    }

    pub async fn dossier_files(&self, dossier: i64) -> Result<Vec<DossierFileRow>, StoreError> {
        let rows = sqlx::query("SELECT id, dossier_id, blob_hash, name, content_type, size FROM dossier_file WHERE dossier_id = $1 ORDER BY id").bind(dossier).fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| Ok(DossierFileRow { id: r.try_get(0)?, dossier: r.try_get(1)?, hash: r.try_get(2)?, name: r.try_get(3)?, content_type: r.try_get(4)?, size: r.try_get(5)? }))
            .collect()
    }

    /// The members with a result in each year of `[from, to]` and every result of the window
    /// among `levels`: the streak, counted by the database, with each member's name, organization
    /// and levels by year.
    pub async fn member_streaks(&self, from: i16, to: i16, levels: &[Level]) -> Result<Vec<StreakRow>, StoreError> {
        // Rules count at most 30 years: every bit fits the databases' 32-bit integer sums.
        if levels.is_empty() || to < from || to - from > 29 {
            return Ok(Vec::new());
        }
        // The years are counted over the results of an allowed level only, as a hand-written
        // count would; a member with any other result in the window (two in one year, one lower)
        // is then ruled out by the index on members, for those who got that far (the index
        // carries the kind, level and round, so neither part reads an evaluation row). The check
        // stands outside the grouping so that PostgreSQL plans it as an anti-join: inside HAVING
        // it ran once per group (1.1 s against 0.9 s). With several allowed levels, each
        // level's years come back as one bit per year (PostgreSQL ORs the bits as it goes;
        // SQLite, without BIT_OR, sums the distinct ones); with one, every year holds it.
        let (or, distinct) = if self.backend() == crate::db::Backend::Postgres { ("BIT_OR", "") } else { ("SUM", "DISTINCT ") };
        let (bits, outer_bits): (String, String) = if levels.len() > 1 {
            levels
                .iter()
                .enumerate()
                .map(|(i, l)| (format!(", CAST({or}({distinct}CASE WHEN e.concluded_level = '{}' THEN {} ELSE 0 END) AS BIGINT) AS b{i}", l.code(), year_bits(from, to)), format!(", s.b{i}")))
                .unzip()
        } else {
            (String::new(), String::new())
        };
        // Names and organizations are joined to those found only: the count needs no member row.
        let allowed = placeholders(4, levels.len());
        let sql = format!(
            "SELECT s.member_id, m.full_name, m.org_id{outer_bits} FROM (SELECT e.member_id AS member_id{bits} FROM evaluation e JOIN evaluation_round r ON r.id = e.round_id \
             WHERE e.kind = 'member' AND e.concluded_level IN ({allowed}) AND r.year >= $1 AND r.year <= $2 GROUP BY e.member_id HAVING COUNT(DISTINCT r.year) = $3) s \
             JOIN member m ON m.id = s.member_id WHERE NOT EXISTS (SELECT 1 FROM evaluation o JOIN evaluation_round orr ON orr.id = o.round_id \
             WHERE o.member_id = s.member_id AND o.kind = 'member' AND o.concluded_level NOT IN ({allowed}) AND orr.year >= $1 AND orr.year <= $2)"
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(i64::from(from)).bind(i64::from(to)).bind(i64::from(to) - i64::from(from) + 1);
        for l in levels {
            q = q.bind(l.code());
        }
        let mut found = Vec::new();
        for r in q.fetch_all(&self.pool).await? {
            let by_year: Vec<(i16, Level)> = if let [only] = levels {
                (from..=to).map(|y| (y, *only)).collect()
            } else {
                let mut by_year = Vec::new();
                for (i, level) in levels.iter().enumerate() {
                    let mask: i64 = r.try_get(3 + i)?;
                    by_year.extend((from..=to).filter(|y| mask & (1 << (y - from)) != 0).map(|y| (y, *level)));
                }
                by_year.sort();
                by_year
            };
            found.push(StreakRow { member: MemberId(r.try_get(0)?), name: r.try_get(1)?, org: OrgId(r.try_get(2)?), by_year });
        }
        Ok(found)
    }

    /// Members' evaluation results as rows `(member, year, level)` for the members of `orgs`
    /// (today's), sorted by member, within `[from, to]`: what the core's `streak_bulk` reads, the
    /// reference `member_streaks` is checked against.
    pub async fn member_level_rows(&self, orgs: &[OrgId], from: i16, to: i16) -> Result<Vec<(MemberId, i16, thidua_core::evaluation::Level)>, StoreError> {
        let mut out = Vec::new();
        for chunk in orgs.chunks(IN_CHUNK) {
            let sql = format!(
                "SELECT e.member_id, r.year, e.concluded_level FROM evaluation e JOIN evaluation_round r ON r.id = e.round_id JOIN member m ON m.id = e.member_id \
                 WHERE e.kind = 'member' AND e.concluded_level IS NOT NULL AND r.year >= $1 AND r.year <= $2 AND m.org_id IN ({}) ORDER BY e.member_id, r.year",
                placeholders(3, chunk.len())
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(i64::from(from)).bind(i64::from(to));
            for o in chunk {
                q = q.bind(o.0);
            }
            for r in q.fetch_all(&self.pool).await? {
                out.push(level_row(&r)?);
            }
        }
        // Chunks of organizations interleave members: keep the rows sorted by member.
        out.sort_by_key(|(m, y, _)| (*m, *y));
        Ok(out)
    }
}

/// `(member, year, level)` from the first three columns.
fn level_row(r: &sqlx::any::AnyRow) -> Result<(MemberId, i16, thidua_core::evaluation::Level), StoreError> {
    let level: String = r.try_get(2)?;
    Ok((MemberId(r.try_get(0)?), year_col(r, "year")?, thidua_core::evaluation::Level::from_code(&level).ok_or_else(|| corrupt("level"))?))
}

/// The bit of a result's year in the window, `1 << (year - from)`, as a `CASE` both databases
/// read alike (they spell shifts differently).
fn year_bits(from: i16, to: i16) -> String {
    let arms: Vec<String> = (from..=to).map(|y| format!("WHEN r.year = {y} THEN {}", 1_i64 << (y - from))).collect();
    format!("CASE {} ELSE 0 END", arms.join(" "))
}
