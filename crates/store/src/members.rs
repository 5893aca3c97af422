//! Party members: the record, its history, interruptions, positions, files and badges.

use jiff::civil::Date;
use sqlx::any::AnyRow;
use sqlx::Row;
use thidua_core::badge::LatestAdmission;
use thidua_core::date::iso;
use thidua_core::member::{Cccd, Gap, GapKind, Gender, MemberId, MemberRecord};
use thidua_core::org::OrgId;
use thidua_core::vi::fold;

use crate::db::{date_col, opt_date_col, Store, StoreError, Tx};

/// A member as stored, with the version optimistic concurrency compares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberRow {
    pub id: MemberId,
    pub record: MemberRecord,
    /// Where the member belongs temporarily (chuyển sinh hoạt tạm thời), if anywhere.
    pub temporary_org: Option<OrgId>,
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PositionRow {
    pub id: i64,
    pub title: String,
    pub org: Option<OrgId>,
    pub from: Date,
    pub to: Option<Date>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileMeta {
    pub id: i64,
    pub member: MemberId,
    pub name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub uploaded_unix: i64,
    pub uploaded_by: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeRow {
    pub at_unix: i64,
    pub actor: String,
    pub summary: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadgeRow {
    pub member: MemberId,
    pub milestone: u16,
    pub awarded_on: Date,
    pub early: bool,
    pub decision: Option<String>,
}

const MEMBER_COLUMNS: &str = "id, full_name, birth_date, gender, cccd, party_card, admitted_on, official_on, org_id, \
                              temporary_org_id, phone, email, address, seriously_ill, version";

fn member_from_row(r: &AnyRow) -> Result<MemberRow, StoreError> {
    let gender: String = r.try_get("gender")?;
    let cccd: Option<String> = r.try_get("cccd")?;
    Ok(MemberRow {
        id: MemberId(r.try_get("id")?),
        record: MemberRecord {
            full_name: r.try_get("full_name")?,
            birth_date: date_col(r, "birth_date")?,
            gender: Gender::from_code(&gender).ok_or_else(|| StoreError::Corrupt(format!("gender {gender:?}")))?,
            cccd: cccd.map(Cccd::from_stored),
            party_card: r.try_get("party_card")?,
            admitted_on: date_col(r, "admitted_on")?,
            official_on: opt_date_col(r, "official_on")?,
            org: OrgId(r.try_get("org_id")?),
            phone: r.try_get("phone")?,
            email: r.try_get("email")?,
            address: r.try_get("address")?,
            seriously_ill: r.try_get::<i64, _>("seriously_ill")? != 0,
        },
        temporary_org: r.try_get::<Option<i64>, _>("temporary_org_id")?.map(OrgId),
        version: r.try_get("version")?,
    })
}

fn gap_from_row(r: &AnyRow) -> Result<(MemberId, Gap), StoreError> {
    let kind: String = r.try_get("kind")?;
    Ok((
        MemberId(r.try_get("member_id")?),
        Gap {
            kind: GapKind::from_code(&kind).ok_or_else(|| StoreError::Corrupt(format!("gap kind {kind:?}")))?,
            from: date_col(r, "from_on")?,
            to: opt_date_col(r, "to_on")?,
            note: r.try_get("note")?,
        },
    ))
}

fn badge_from_row(r: &AnyRow) -> Result<BadgeRow, StoreError> {
    Ok(BadgeRow {
        member: MemberId(r.try_get("member_id")?),
        milestone: u16::try_from(r.try_get::<i64, _>("milestone")?).map_err(|_| StoreError::Corrupt("milestone".into()))?,
        awarded_on: date_col(r, "awarded_on")?,
        early: r.try_get::<i64, _>("early")? != 0,
        decision: r.try_get("decision")?,
    })
}

/// A member as an import of results sees them.
#[derive(Debug, Clone)]
pub struct MemberBasics {
    pub id: MemberId,
    pub cccd: Option<String>,
    pub name: String,
    pub org: OrgId,
    pub admitted: i16,
}

/// A `LIKE` pattern for names containing `query`, diacritics optional.
fn name_pattern(query: Option<&str>) -> Option<String> {
    query.map(|q| format!("%{}%", fold(q.trim()).replace('%', "")))
}

/// A member belongs to a scope by their own organization or the one they are temporarily with.
const MEMBER_ORGS: [&str; 2] = ["org_id", "temporary_org_id"];

/// A placeholder list `$from, $from+1, …` for `n` values.
pub(crate) fn placeholders(from: usize, n: usize) -> String {
    (from..from + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

impl Tx {
    pub async fn create_member(&mut self, m: &MemberRecord, now: i64) -> Result<MemberId, StoreError> {
        let row = sqlx::query(
            "INSERT INTO member (full_name, name_fold, birth_date, gender, cccd, party_card, admitted_on, official_on, org_id, \
             phone, email, address, seriously_ill, version, created_unix) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 1, $14) RETURNING id",
        )
        .bind(m.full_name.trim())
        .bind(fold(m.full_name.trim()))
        .bind(iso(m.birth_date))
        .bind(m.gender.code())
        .bind(m.cccd.as_ref().map(|c| c.as_str().to_owned()))
        .bind(m.party_card.clone())
        .bind(iso(m.admitted_on))
        .bind(m.official_on.map(iso))
        .bind(m.org.0)
        .bind(m.phone.clone())
        .bind(m.email.clone())
        .bind(m.address.clone())
        .bind(i64::from(m.seriously_ill))
        .bind(now)
        .fetch_one(&mut *self.tx)
        .await?;
        Ok(MemberId(row.try_get(0)?))
    }

    /// Records new members at once, with a change line each saying `summary`: their ids, in the
    /// order given. An import writes thousands this way.
    pub async fn create_members(&mut self, members: &[&MemberRecord], actor: &str, summary: &str, now: i64) -> Result<Vec<MemberId>, StoreError> {
        use crate::bulk::Cell;
        let rows: Vec<Vec<Cell>> = members
            .iter()
            .map(|m| {
                vec![
                    m.full_name.trim().into(),
                    fold(m.full_name.trim()).into(),
                    iso(m.birth_date).into(),
                    m.gender.code().into(),
                    m.cccd.as_ref().map(|c| c.as_str()).into(),
                    m.party_card.clone().into(),
                    iso(m.admitted_on).into(),
                    m.official_on.map(iso).into(),
                    m.org.0.into(),
                    m.phone.clone().into(),
                    m.email.clone().into(),
                    m.address.clone().into(),
                    i64::from(m.seriously_ill).into(),
                    1_i64.into(),
                    now.into(),
                ]
            })
            .collect();
        let columns = [
            "full_name", "name_fold", "birth_date", "gender", "cccd", "party_card", "admitted_on", "official_on", "org_id", "phone", "email", "address", "seriously_ill", "version", "created_unix",
        ];
        let ids = crate::bulk::insert_rows_returning_ids(&mut self.tx, "member", &columns, &rows).await?;
        let changes: Vec<Vec<Cell>> = ids.iter().map(|id| vec![(*id).into(), now.into(), actor.into(), summary.into()]).collect();
        crate::bulk::insert_rows(&mut self.tx, "member_change", &["member_id", "at_unix", "actor", "summary"], &changes).await?;
        Ok(ids.into_iter().map(MemberId).collect())
    }

    /// Updates the record if it is still at `version`; `false` when someone changed it meanwhile.
    pub async fn update_member(&mut self, id: MemberId, m: &MemberRecord, version: i64) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE member SET full_name = $1, name_fold = $2, birth_date = $3, gender = $4, cccd = $5, party_card = $6, \
             admitted_on = $7, official_on = $8, phone = $9, email = $10, address = $11, seriously_ill = $12, \
             version = version + 1 WHERE id = $13 AND version = $14",
        )
        .bind(m.full_name.trim())
        .bind(fold(m.full_name.trim()))
        .bind(iso(m.birth_date))
        .bind(m.gender.code())
        .bind(m.cccd.as_ref().map(|c| c.as_str().to_owned()))
        .bind(m.party_card.clone())
        .bind(iso(m.admitted_on))
        .bind(m.official_on.map(iso))
        .bind(m.phone.clone())
        .bind(m.email.clone())
        .bind(m.address.clone())
        .bind(i64::from(m.seriously_ill))
        .bind(id.0)
        .bind(version)
        .execute(&mut *self.tx)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Moves a member to another organization, or sets or clears a temporary one.
    pub async fn set_member_orgs(&mut self, id: MemberId, org: OrgId, temporary: Option<OrgId>) -> Result<(), StoreError> {
        sqlx::query("UPDATE member SET org_id = $1, temporary_org_id = $2, version = version + 1 WHERE id = $3")
            .bind(org.0)
            .bind(temporary.map(|o| o.0))
            .bind(id.0)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    pub async fn add_member_change(&mut self, id: MemberId, actor: &str, summary: &str, now: i64) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO member_change (member_id, at_unix, actor, summary) VALUES ($1, $2, $3, $4)")
            .bind(id.0)
            .bind(now)
            .bind(actor)
            .bind(summary)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    pub async fn add_gap(&mut self, id: MemberId, g: &Gap) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO member_gap (member_id, kind, from_on, to_on, note) VALUES ($1, $2, $3, $4, $5)")
            .bind(id.0)
            .bind(g.kind.code())
            .bind(iso(g.from))
            .bind(g.to.map(iso))
            .bind(g.note.clone())
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    pub async fn add_position(&mut self, id: MemberId, title: &str, org: Option<OrgId>, from: Date, to: Option<Date>) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO member_position (member_id, title, org_id, from_on, to_on) VALUES ($1, $2, $3, $4, $5)")
            .bind(id.0)
            .bind(title)
            .bind(org.map(|o| o.0))
            .bind(iso(from))
            .bind(to.map(iso))
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    pub async fn add_member_file(
        &mut self,
        id: MemberId,
        name: &str,
        content_type: &str,
        content: &[u8],
        sha256: &str,
        now: i64,
        by: &str,
    ) -> Result<i64, StoreError> {
        let row = sqlx::query(
            "INSERT INTO member_file (member_id, name, content_type, size, sha256, content, uploaded_unix, uploaded_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(id.0)
        .bind(name)
        .bind(content_type)
        .bind(content.len() as i64)
        .bind(sha256)
        .bind(content.to_vec())
        .bind(now)
        .bind(by)
        .fetch_one(&mut *self.tx)
        .await?;
        Ok(row.try_get(0)?)
    }

    pub async fn add_badge(&mut self, b: &BadgeRow) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO badge_award (member_id, milestone, awarded_on, early, decision) VALUES ($1, $2, $3, $4, $5)")
            .bind(b.member.0)
            .bind(i64::from(b.milestone))
            .bind(iso(b.awarded_on))
            .bind(i64::from(b.early))
            .bind(b.decision.clone())
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// Adds holidays not yet listed; returns how many were new.
    pub async fn add_holidays(&mut self, days: &[(Date, String)]) -> Result<u64, StoreError> {
        let mut added = 0;
        for (day, name) in days {
            let done = sqlx::query("INSERT INTO holiday (day, name) VALUES ($1, $2) ON CONFLICT (day) DO NOTHING")
                .bind(iso(*day))
                .bind(name.as_str())
                .execute(&mut *self.tx)
                .await?;
            added += done.rows_affected();
        }
        Ok(added)
    }
}

impl Store {
    pub async fn member(&self, id: MemberId) -> Result<Option<MemberRow>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {MEMBER_COLUMNS} FROM member WHERE id = $1")))
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(member_from_row).transpose()
    }

    /// Every member with a CCCD, by it: the key an import matches rows on.
    pub async fn member_ids_by_cccd(&self) -> Result<std::collections::HashMap<String, MemberId>, StoreError> {
        let rows = sqlx::query("SELECT cccd, id FROM member WHERE cccd IS NOT NULL").fetch_all(&self.pool).await?;
        rows.iter().map(|r| Ok((r.try_get::<String, _>(0)?, MemberId(r.try_get(1)?)))).collect()
    }

    /// Every member's CCCD, name, organization and year of admission: what an import of results
    /// checks its rows against.
    pub async fn member_basics(&self) -> Result<Vec<MemberBasics>, StoreError> {
        let rows = sqlx::query("SELECT id, cccd, full_name, org_id, admitted_on FROM member").fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                let admitted = crate::db::date_col(r, "admitted_on")?;
                Ok(MemberBasics { id: MemberId(r.try_get(0)?), cccd: r.try_get(1)?, name: r.try_get(2)?, org: OrgId(r.try_get(3)?), admitted: admitted.year() })
            })
            .collect()
    }

    /// Members by id, many at once.
    pub async fn members_by_ids(&self, ids: &[MemberId]) -> Result<Vec<MemberRow>, StoreError> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let sql = format!("SELECT {MEMBER_COLUMNS} FROM member WHERE id IN ({})", placeholders(1, chunk.len()));
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for id in chunk {
                q = q.bind(id.0);
            }
            for r in q.fetch_all(&self.pool).await? {
                out.push(member_from_row(&r)?);
            }
        }
        Ok(out)
    }

    pub async fn member_by_cccd(&self, cccd: &Cccd) -> Result<Option<MemberId>, StoreError> {
        let row = sqlx::query("SELECT id FROM member WHERE cccd = $1").bind(cccd.as_str()).fetch_optional(&self.pool).await?;
        Ok(match row {
            Some(r) => Some(MemberId(r.try_get(0)?)),
            None => None,
        })
    }

    /// Members whose organization (or temporary organization) is one of `orgs` — all members when
    /// `orgs` is `None` — whose folded name contains the folded `query`, by name, one page.
    pub async fn members(&self, orgs: Option<&[OrgId]>, query: Option<&str>, limit: i64, offset: i64) -> Result<Vec<MemberRow>, StoreError> {
        let Some((filter, args)) = self.org_scope(MEMBER_ORGS, orgs, 4).await? else { return Ok(Vec::new()) };
        let sql = format!(
            "SELECT {MEMBER_COLUMNS} FROM member WHERE ($1 IS NULL OR name_fold LIKE $1) AND {filter} ORDER BY name_fold, id LIMIT $2 OFFSET $3"
        );
        let q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(name_pattern(query)).bind(limit.clamp(1, 5000)).bind(offset.max(0));
        args.bind(q).fetch_all(&self.pool).await?.iter().map(member_from_row).collect()
    }

    /// Members in `orgs` (all when `None`) whose name contains `query`, `limit` of them after the
    /// id `after`, in id order: a whole scope read in bounded batches.
    pub async fn members_after(&self, orgs: Option<&[OrgId]>, query: Option<&str>, after: MemberId, limit: i64) -> Result<Vec<MemberRow>, StoreError> {
        let Some((filter, args)) = self.org_scope(MEMBER_ORGS, orgs, 3).await? else { return Ok(Vec::new()) };
        let sql = format!("SELECT {MEMBER_COLUMNS} FROM member WHERE ($1 IS NULL OR name_fold LIKE $1) AND id > $2 AND {filter} ORDER BY id LIMIT {}", limit.clamp(1, 5000));
        let q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(name_pattern(query)).bind(after.0);
        args.bind(q).fetch_all(&self.pool).await?.iter().map(member_from_row).collect()
    }

    /// Members in `orgs` (all when `None`) who may be due a badge, in id order: official by
    /// `official_by`, and for some milestone admitted by its latest admission (the early one if
    /// seriously ill) and not yet given it. The rule itself (gaps, the lowest milestone missing,
    /// early awards) is the caller's; this only leaves out, in the database, the members it could
    /// not find due. One statement for the whole scope: read in pages by id, a nation's 6,000,000
    /// members were walked row by row and each page built its sets of badges again (13.9 s).
    pub async fn badge_prospects(&self, orgs: Option<&[OrgId]>, official_by: Date, milestones: &[LatestAdmission]) -> Result<Vec<MemberId>, StoreError> {
        let Some((filter, args)) = self.org_scope(MEMBER_ORGS, orgs, 3).await? else { return Ok(Vec::new()) };
        let Some(latest) = milestones.iter().map(|l| l.early).max() else { return Ok(Vec::new()) };
        let first = 3 + args.len();
        let missing: Vec<String> = milestones
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let (on_time, early) = (first + 2 * i, first + 2 * i + 1);
                format!(
                    "((admitted_on <= ${on_time} OR (seriously_ill <> 0 AND admitted_on <= ${early})) AND NOT EXISTS (SELECT 1 FROM badge_award b WHERE b.member_id = member.id AND b.milestone = {}))",
                    l.milestone
                )
            })
            .collect();
        let sql = format!("SELECT id FROM member WHERE official_on <= $1 AND admitted_on <= $2 AND {filter} AND ({}) ORDER BY id", missing.join(" OR "));
        let mut q = args.bind(sqlx::query(sqlx::AssertSqlSafe(sql)).bind(iso(official_by)).bind(iso(latest)));
        for l in milestones {
            q = q.bind(iso(l.on_time)).bind(iso(l.early));
        }
        q.fetch_all(&self.pool).await?.iter().map(|r| Ok(MemberId(r.try_get(0)?))).collect()
    }

    pub async fn member_gaps(&self, ids: &[MemberId]) -> Result<Vec<(MemberId, Gap)>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut out = Vec::new();
        for chunk in ids.chunks(500) {
            let sql = format!("SELECT member_id, kind, from_on, to_on, note FROM member_gap WHERE member_id IN ({}) ORDER BY from_on", placeholders(1, chunk.len()));
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for id in chunk {
                q = q.bind(id.0);
            }
            for r in q.fetch_all(&self.pool).await? {
                out.push(gap_from_row(&r)?);
            }
        }
        out.sort_by_key(|(_, g)| g.from);
        Ok(out)
    }

    pub async fn member_badges(&self, ids: &[MemberId]) -> Result<Vec<BadgeRow>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut out = Vec::new();
        for chunk in ids.chunks(500) {
            let sql = format!("SELECT member_id, milestone, awarded_on, early, decision FROM badge_award WHERE member_id IN ({}) ORDER BY milestone", placeholders(1, chunk.len()));
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for id in chunk {
                q = q.bind(id.0);
            }
            for r in q.fetch_all(&self.pool).await? {
                out.push(badge_from_row(&r)?);
            }
        }
        out.sort_by_key(|b| b.milestone);
        Ok(out)
    }

    pub async fn member_positions(&self, id: MemberId) -> Result<Vec<PositionRow>, StoreError> {
        let rows = sqlx::query("SELECT id, title, org_id, from_on, to_on FROM member_position WHERE member_id = $1 ORDER BY from_on DESC")
            .bind(id.0)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(PositionRow {
                    id: r.try_get("id")?,
                    title: r.try_get("title")?,
                    org: r.try_get::<Option<i64>, _>("org_id")?.map(OrgId),
                    from: date_col(r, "from_on")?,
                    to: opt_date_col(r, "to_on")?,
                })
            })
            .collect()
    }

    pub async fn member_changes(&self, id: MemberId) -> Result<Vec<ChangeRow>, StoreError> {
        let rows = sqlx::query("SELECT at_unix, actor, summary FROM member_change WHERE member_id = $1 ORDER BY id DESC")
            .bind(id.0)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| Ok(ChangeRow { at_unix: r.try_get(0)?, actor: r.try_get(1)?, summary: r.try_get(2)? })).collect()
    }

    pub async fn member_files(&self, id: MemberId) -> Result<Vec<FileMeta>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, member_id, name, content_type, size, sha256, uploaded_unix, uploaded_by FROM member_file WHERE member_id = $1 ORDER BY id",
        )
        .bind(id.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(file_meta).collect()
    }

    pub async fn member_file(&self, member: MemberId, file: i64) -> Result<Option<(FileMeta, Vec<u8>)>, StoreError> {
        let row = sqlx::query(
            "SELECT id, member_id, name, content_type, size, sha256, uploaded_unix, uploaded_by, content FROM member_file \
             WHERE member_id = $1 AND id = $2",
        )
        .bind(member.0)
        .bind(file)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| Ok((file_meta(&r)?, r.try_get::<Vec<u8>, _>("content")?))).transpose()
    }

    pub async fn holidays(&self) -> Result<Vec<(Date, String)>, StoreError> {
        let rows = sqlx::query("SELECT day, name FROM holiday ORDER BY day").fetch_all(&self.pool).await?;
        rows.iter().map(|r| Ok((date_col(r, "day")?, r.try_get("name")?))).collect()
    }
}

fn file_meta(r: &AnyRow) -> Result<FileMeta, StoreError> {
    Ok(FileMeta {
        id: r.try_get("id")?,
        member: MemberId(r.try_get("member_id")?),
        name: r.try_get("name")?,
        content_type: r.try_get("content_type")?,
        size: r.try_get("size")?,
        sha256: r.try_get("sha256")?,
        uploaded_unix: r.try_get("uploaded_unix")?,
        uploaded_by: r.try_get("uploaded_by")?,
    })
}
