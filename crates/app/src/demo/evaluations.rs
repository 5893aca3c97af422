//! 2018–2024 evaluations of Đảng ủy Ban Quản lý's grassroots organizations, consistent with what
//! seed 004 reports for 2022: one đảng bộ cơ sở rated HTXSNV ("tiêu biểu") in 2022, two directly
//! attached cells HTXSNV five years running, and fifteen members HTXSNV five years running — each
//! year within the quota (HTXSNV at most 20% of HTTNV per grassroots organization). The members are
//! invented (generated names); so are the other years' results.

use std::collections::BTreeMap;

use jiff::civil::Date;
use thidua_core::audit::AuditRecord;
use thidua_core::evaluation::{Assessment, Level, SubjectKind, Tasks};
use thidua_core::member::{DisciplineForm, Gender, MemberId, MemberRecord};
use thidua_core::org::OrgId;
use thidua_store::DisciplineRow;

use super::{day, World};
use crate::AppError;

pub(crate) const FAMILY: [&str; 16] = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"];
pub(crate) const MIDDLE_MEN: [&str; 5] = ["Văn", "Minh", "Hữu", "Quốc", "Công"];
pub(crate) const MIDDLE_WOMEN: [&str; 5] = ["Thị", "Ngọc", "Thanh", "Thu", "Bích"];
pub(crate) const GIVEN_MEN: [&str; 12] = ["An", "Bảo", "Cường", "Dũng", "Hải", "Hùng", "Khánh", "Long", "Nam", "Phong", "Quân", "Trung"];
pub(crate) const GIVEN_WOMEN: [&str; 12] = ["Châu", "Dung", "Nhung", "Hà", "Hiền", "Hương", "Lan", "Linh", "Mai", "Phương", "Thảo", "Yến"];

/// `(cell key, members, of whom HTXSNV five years running)`: the quota holds each year per
/// grassroots organization (Đảng bộ cơ sở Cơ quan Ban Quản lý counts both its cells together).
const CELLS: [(&str, usize, usize); 4] = [("cb_bql_vp", 25, 4), ("cb_bql_qldn", 25, 4), ("cb_bql_dautu", 25, 4), ("cb_bql_moitruong", 20, 3)];

/// `(kind, member, organization, cell, level)` of one evaluated subject.
type Subject = (SubjectKind, Option<MemberId>, Option<OrgId>, OrgId, Level);

/// Levels of the organizations by year, 2018–2024.
const ORG_LEVELS: [(&str, [Level; 7]); 5] = {
    use Level::*;
    [
        ("dbcs_bql", [Httnv, Htxsnv, Httnv, Htxsnv, Htxsnv, Htxsnv, Httnv]),
        ("cb_bql_vp", [Httnv, Httnv, Httnv, Httnv, Httnv, Httnv, Httnv]),
        ("cb_bql_qldn", [Httnv, Httnv, Htnv, Httnv, Httnv, Httnv, Httnv]),
        ("cb_bql_dautu", [Htxsnv, Htxsnv, Htxsnv, Htxsnv, Htxsnv, Htxsnv, Httnv]),
        ("cb_bql_moitruong", [Htxsnv, Htxsnv, Htxsnv, Htxsnv, Htxsnv, Httnv, Httnv]),
    ]
};

/// Grassroots organizations and the cells their rounds cover.
const ROUNDS: [(&str, &[&str]); 3] = [("dbcs_bql", &["cb_bql_vp", "cb_bql_qldn"]), ("cb_bql_dautu", &[]), ("cb_bql_moitruong", &[])];

const FIRST_YEAR: i16 = 2018;
const LAST_YEAR: i16 = 2024;

/// An assessment under the older forms (criteria met or not) that gives `level`.
fn assessment(criteria: &[String], level: Level) -> Assessment {
    let (unmet, tasks) = match level {
        Level::Htxsnv => (0, Tasks { total: 10, on_time: 10, exceeding: 4, late: 0 }),
        Level::Httnv => (0, Tasks { total: 10, on_time: 10, exceeding: 1, late: 0 }),
        Level::Htnv => (1, Tasks { total: 10, on_time: 9, exceeding: 0, late: 1 }),
        Level::Khtnv => (2, Tasks { total: 10, on_time: 6, exceeding: 0, late: 4 }),
    };
    let met = criteria.iter().enumerate().map(|(i, c)| (c.clone(), i >= unmet)).collect();
    Assessment { scores: BTreeMap::new(), met, tasks, triggers: Default::default() }
}

struct Person {
    id: MemberId,
    name: String,
    cell: OrgId,
    star: bool,
    /// Rated HTNV every year (the few each grassroots organization has).
    weaker: bool,
}

/// Builds the members and rounds; gives back the members HTXSNV 2018–2022 (the seed's fifteen):
/// `(member, name, cell)`.
pub(super) async fn build(w: &mut World<'_>) -> Result<Vec<(MemberId, String, OrgId)>, AppError> {
    let now = crate::auth::now_unix();
    let mut people: Vec<Person> = Vec::new();
    let mut n = 0usize;
    for (cell_key, count, stars) in CELLS {
        let cell = w.id(cell_key)?;
        for i in 0..count {
            let female = n % 2 == 1;
            let gender = if female { Gender::Female } else { Gender::Male };
            let (middle, given) = if female { (MIDDLE_WOMEN, GIVEN_WOMEN) } else { (MIDDLE_MEN, GIVEN_MEN) };
            let name = format!("{} {} {}", FAMILY[n % FAMILY.len()], middle[(n / 3) % middle.len()], given[(n * 7 + 3) % given.len()]);
            let born = day(1968 + (n % 27) as i16, 1 + (n % 12) as i8, 1 + (n % 27) as i8);
            let admitted = day(1995 + (n % 20) as i16, 1 + ((n + 5) % 12) as i8, 3 + (n % 24) as i8);
            let record = MemberRecord {
                full_name: name.clone(),
                birth_date: born,
                gender,
                cccd: Some(super::members::cccd(super::members::HCMC, born, gender, 300 + n as u32)?),
                party_card: Some(format!("{:08}", 79_100_000 + n)),
                admitted_on: admitted,
                official_on: admitted.checked_add(jiff::Span::new().years(1)).ok(),
                org: cell,
                phone: None,
                email: None,
                address: Some("Thành phố Hồ Chí Minh".into()),
                seriously_ill: false,
            };
            let id = w.tx.create_member(&record, now).await?;
            w.tx.add_member_change(id, "system", "created (demo)", now).await?;
            // The last member of each cell is the one rated HTNV; the first `stars` are HTXSNV.
            people.push(Person { id, name, cell, star: i < stars, weaker: i + 1 == count });
            n += 1;
        }
    }
    // One member was reprimanded in 2021 and so rated KHTNV that year, whatever else; in the cell
    // where one HTTNV fewer still leaves room for its HTXSNV within the quota.
    let moitruong = w.id("cb_bql_moitruong")?;
    let reprimanded = people.iter().find(|p| p.cell == moitruong && !p.star && !p.weaker).map(|p| p.id).ok_or(AppError::NotFound)?;
    let discipline = DisciplineRow {
        id: 0,
        member: reprimanded,
        decided_on: day(2021, 6, 15),
        form: DisciplineForm::Reprimand,
        decision: "12-QĐ/ĐU (minh họa)".into(),
        reason: "Vi phạm quy chế làm việc (minh họa)".into(),
    };
    w.tx.add_discipline(&discipline, "system").await?;

    let rulebook = thidua_core::rulebook::Rulebook::shipped().map_err(AppError::Rules)?;
    let mut rounds = 0;
    for year in FIRST_YEAR..=LAST_YEAR {
        let rules = rulebook.evaluation_for(year).map_err(AppError::Rules)?;
        let criteria = |kind: SubjectKind| rules.form(kind).iter().map(|c| c.code.clone()).collect::<Vec<_>>();
        let concluded_on = Date::new(year + 1, 1, 15).map_err(|_| AppError::NotFound)?;
        let assessed_on = Date::new(year, 12, 10).map_err(|_| AppError::NotFound)?;
        let y = usize::try_from(year - FIRST_YEAR).unwrap_or(0);
        for (org_key, cells) in ROUNDS {
            let org = w.id(org_key)?;
            let round = w.tx.create_eval_round(org, year, &rules.source, "system").await?.ok_or(AppError::NotFound)?;
            let org_level = |key: &str| ORG_LEVELS.iter().find(|(k, _)| *k == key).map_or(Level::Httnv, |(_, l)| l[y]);
            let mut subjects: Vec<Subject> = vec![
                (SubjectKind::Organization, None, Some(org), org, org_level(org_key)),
                (SubjectKind::LeadershipCollective, None, Some(org), org, org_level(org_key).min(Level::Httnv)),
            ];
            for c in cells.iter() {
                let cell = w.id(c)?;
                subjects.push((SubjectKind::Organization, None, Some(cell), cell, org_level(c)));
            }
            let covered: Vec<OrgId> = std::iter::once(Ok(org)).chain(cells.iter().map(|c| w.id(c))).collect::<Result<_, _>>()?;
            for p in people.iter().filter(|p| covered.contains(&p.cell)) {
                let level = if p.id == reprimanded && year == 2021 {
                    Level::Khtnv
                } else if p.star && year <= 2022 {
                    Level::Htxsnv
                } else if p.weaker {
                    Level::Htnv
                } else {
                    Level::Httnv
                };
                subjects.push((SubjectKind::Member, Some(p.id), None, p.cell, level));
            }
            for (kind, member, subject_org, cell, level) in subjects {
                let id = w.tx.add_evaluation(round, kind, member, subject_org, cell).await?;
                let a = assessment(&criteria(kind), level);
                let own = if level == Level::Khtnv { Level::Htnv } else { level };
                w.tx.save_assessment(id, 1, &a, Some(own), "minh họa", assessed_on).await?;
                w.tx.set_opinion(id, 2, Some(level), None, "minh họa", assessed_on).await?;
                w.tx.set_decisions(round, false, &[(id, level)], "minh họa", concluded_on).await?;
                if kind.is_collective() {
                    w.tx.set_decisions(round, true, &[(id, level)], "minh họa", concluded_on).await?;
                }
            }
            w.tx.set_round_concluded(round, 1, true, "minh họa", concluded_on).await?;
            rounds += 1;
        }
    }
    let record = AuditRecord { actor: "system".into(), action: "demo.evaluations".into(), resource: "system".into(), summary: format!("{} members, {rounds} rounds", people.len()) };
    w.tx.audit(None, &record).await?;
    Ok(people.into_iter().filter(|p| p.star).map(|p| (p.id, p.name, p.cell)).collect())
}