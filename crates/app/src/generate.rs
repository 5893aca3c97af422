//! `thidua gen`: a synthetic world of a province or of the whole country, for benchmarks and load
//! tests. Organizations in a four-level tree (provincial committee, upper committees, grassroots
//! organizations, cells) with the mergers of 2020 and 2025, emulation clusters with their yearly
//! membership and the 2026 campaign and scoring round, members with the party badges given them,
//! their evaluations of every year the rulebook covers (and the 2026 round under way), awards,
//! registers of documents with Vietnamese summaries, and completed transfers.
//!
//! The world is a function of the seed and the size: every value is drawn from a hash of the seed
//! and what it describes, so the same command writes the same rows (only the moment of writing,
//! kept in the registry's `recorded_at` and the audit entry, differs). The world's "today" is fixed
//! at [`WORLD_DAY`], not the clock's.
//!
//! Large tables are written many rows per statement with their ids given; the database must be
//! empty. Rows are committed in batches: a stopped run leaves a partial world, to be thrown away.

use std::collections::HashMap;

use jiff::civil::Date;
use thidua_core::cluster::{ClusterId, ClusterRole, ClusterYear};
use thidua_core::emulation::{parse_criteria, CampaignKind, ClusterRules};
use thidua_core::evaluation::{Level, SubjectKind};
use thidua_core::member::Gender;
use thidua_core::org::{NewOrg, OrgChange, OrgId, OrgKind, OrgSpec, Target};
use thidua_core::transfer::TransferState;
use thidua_core::vi::fold;
use thidua_store::{CampaignRow, Cell, Direction, DocumentRow, RegistrationRow, RoundRow, Tx};

use crate::auth::Principal;
use crate::demo::day;
use crate::demo::documents::{OUT_TYPES, SOURCES, TOPICS};
use crate::demo::emulation::{CRITERIA_2023, TARGETS};
use crate::demo::evaluations::{FAMILY, GIVEN_MEN, GIVEN_WOMEN, MIDDLE_MEN, MIDDLE_WOMEN};
use crate::{App, AppError};

/// The generated world's today: the year-end crunch of 2026.
pub const WORLD_DAY: Date = Date::constant(2026, 11, 20);
/// Ho Chi Minh City's party members in 2025.
pub const PROVINCE_MEMBERS: u64 = 365_911;
/// The whole country's party members, about.
pub const NATION_MEMBERS: u64 = 5_900_000;

const FOUNDED: Date = Date::constant(2015, 1, 1);
const GRASSROOTS_MERGER: Date = Date::constant(2020, 1, 1);
const UPPER_MERGER: Date = Date::constant(2025, 7, 1);
/// Documents and clusters are generated from this year; evaluations from the rulebook's first.
const FIRST_YEAR: i16 = 2016;
const CURRENT_YEAR: i16 = 2026;
const ACTOR: &str = "thidua gen";
const MEMBERS_PER_CELL: u64 = 25;
const CELLS_PER_GRASSROOTS: u64 = 4;
const GRASSROOTS_PER_UPPER: u64 = 100;
const UPPERS_PER_PROVINCE: u64 = 10;
const UNITS_PER_CLUSTER: usize = 8;
/// Rows handed to the store at a time (it splits them into statements).
const BATCH: usize = 20_000;
/// Members move (one in twelve, once) in the years evaluated.
const MOVES_FROM: i16 = 2018;

/// How big a world: `province`, `nation` or a number of members (`120000` or `120000-members`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    Province,
    Nation,
    Members(u64),
}

impl Scale {
    pub fn parse(text: &str) -> Option<Scale> {
        match text.trim() {
            "province" => Some(Scale::Province),
            "nation" => Some(Scale::Nation),
            other => {
                let n = other.strip_suffix("-members").unwrap_or(other).replace(['_', '.', ','], "");
                n.parse().ok().filter(|n| (100..=20_000_000).contains(n)).map(Scale::Members)
            }
        }
    }

    pub fn members(self) -> u64 {
        match self {
            Scale::Province => PROVINCE_MEMBERS,
            Scale::Nation => NATION_MEMBERS,
            Scale::Members(n) => n,
        }
    }

    /// Outgoing and incoming documents a register holds a year, each: a national world keeps
    /// fewer per register, having sixty thousand registers.
    pub fn documents_per_year(self) -> u32 {
        if self.members() > 2_000_000 { 3 } else { 12 }
    }
}

/// What a run wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorldReport {
    pub orgs: u64,
    pub clusters: u64,
    pub members: u64,
    pub evaluations: u64,
    pub awards: u64,
    pub documents: u64,
    pub transfers: u64,
    pub badges: u64,
}

/// Reports progress: the stage (in Vietnamese), done and total.
pub type Progress<'a> = &'a (dyn Fn(&str, u64, u64) + Sync);

/// A value drawn from the seed and what it is for: the same inputs always give the same value.
fn draw(seed: u64, what: u64, a: u64, b: u64) -> u64 {
    let mut z = seed ^ what.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ a.wrapping_mul(0xC2B2_AE3D_27D4_EB4F) ^ b.wrapping_mul(0x1656_67B1_9E37_79F9);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn below(v: u64, n: u64) -> u64 {
    v % n.max(1)
}

fn plus_days(d: Date, n: i64) -> Date {
    d.checked_add(jiff::Span::new().days(n)).unwrap_or(d)
}

/// Midnight UTC of a day, in seconds: the generated world's moments of writing.
fn unix(d: Date) -> i64 {
    d.to_zoned(jiff::tz::TimeZone::UTC).map(|z| z.timestamp().as_second()).unwrap_or(0)
}

/// What each draw is for, so that two purposes never share a value.
#[derive(Clone, Copy)]
enum Purpose {
    Cell = 1,
    Name,
    Birth,
    Admitted,
    Talent,
    Level,
    Move,
    OrgLevel,
    Award,
    Document,
    Badge,
}

/// Who an award goes to: a member (by index) or an organization.
enum Honoured {
    Member(usize),
    Org(OrgId),
}

/// A committee keeping a register of documents, while it exists.
struct Register {
    org: OrgId,
    code: &'static str,
    name: String,
    from: Date,
    until: Option<Date>,
    /// Who writes to it: the level above.
    parent: String,
}

struct Upper {
    id: OrgId,
    name: String,
    province: usize,
    /// The area committee (of `World::areas`) it became part of on 1 July 2025.
    merged_into: Option<usize>,
}

struct Grassroots {
    id: OrgId,
    name: String,
    upper: usize,
    /// The grassroots organization it merged into on 1 January 2020.
    merged_into: Option<usize>,
}

/// A member as the generator needs to remember it: everything else is drawn again when needed.
#[derive(Clone, Copy)]
struct Member {
    cell: u32,
    /// The cell after a transfer, and the day of year it happened.
    moved: Option<(u32, i16, u16)>,
    admitted_year: i16,
    able: bool,
}

struct World {
    seed: u64,
    /// Members to generate.
    size: u64,
    /// Each provincial committee with its name and its place's name.
    provinces: Vec<(OrgId, String, &'static str)>,
    uppers: Vec<Upper>,
    /// The upper committees formed by the 2025 mergers (Đảng bộ khu vực), with their names and
    /// provinces.
    areas: Vec<(OrgId, String, usize)>,
    grassroots: Vec<Grassroots>,
    /// Each cell's grassroots organization as founded.
    cells: Vec<(OrgId, usize)>,
    members: Vec<Member>,
}

const PROVINCES: [&str; 20] = [
    "Thành phố Hồ Chí Minh", "Hà Nội", "Hải Phòng", "Đà Nẵng", "Cần Thơ", "Đồng Nai", "Bình Dương", "Khánh Hòa", "Lâm Đồng", "Nghệ An",
    "Thanh Hóa", "Quảng Ninh", "Thừa Thiên Huế", "An Giang", "Đắk Lắk", "Gia Lai", "Bắc Ninh", "Thái Nguyên", "Quảng Nam", "Tây Ninh",
];
/// Each province's code, the first three digits of its people's CCCD.
const PROVINCE_CODES: [u16; 20] = [79, 1, 31, 48, 92, 75, 74, 56, 68, 40, 38, 22, 46, 89, 66, 64, 27, 19, 49, 72];
const GRASSROOTS_KINDS: [&str; 6] = ["Đảng bộ Phường", "Đảng bộ Xã", "Đảng bộ Trường", "Đảng bộ Công ty", "Đảng bộ Bệnh viện", "Đảng bộ Cơ quan"];
const CELL_KINDS: [&str; 5] = ["Chi bộ Khu phố", "Chi bộ Ấp", "Chi bộ Phòng", "Chi bộ Tổ", "Chi bộ Khối"];
/// What documents are about, beyond the demo's topics: the words a search runs over.
const ACTIONS: [&str; 10] = ["triển khai", "hướng dẫn thực hiện", "báo cáo kết quả", "kế hoạch tổ chức", "đề nghị xem xét", "thông báo kết luận về", "tăng cường", "kiểm tra, giám sát", "tổng hợp ý kiến về", "rà soát, bổ sung"];
const SUBJECTS: [&str; 12] = [
    "đảng viên sinh hoạt tạm thời", "chi bộ trực thuộc", "cấp ủy cơ sở", "đoàn viên ưu tú", "cán bộ diện quản lý", "hồ sơ đảng viên",
    "phong trào thi đua yêu nước", "học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh", "công tác dân vận", "cụm thi đua",
    "quỹ đảng phí", "nghị quyết chuyên đề",
];

impl World {
    fn draw(&self, p: Purpose, a: u64, b: u64) -> u64 {
        draw(self.seed, p as u64, a, b)
    }

    /// The grassroots organization a cell belonged to in a year (a cell of an organization merged
    /// in 2020 moved to the one it merged into).
    fn grassroots_of(&self, cell: usize, year: i16) -> usize {
        let g = self.cells[cell].1;
        match self.grassroots[g].merged_into {
            Some(into) if year >= GRASSROOTS_MERGER.year() => into,
            _ => g,
        }
    }

    /// Whether a grassroots organization held its own round in a year (not yet merged away).
    fn is_live(&self, g: usize, year: i16) -> bool {
        self.grassroots[g].merged_into.is_none() || year < GRASSROOTS_MERGER.year()
    }

    fn live_grassroots(&self, year: i16) -> impl Iterator<Item = usize> + '_ {
        (0..self.grassroots.len()).filter(move |g| self.is_live(*g, year))
    }

    fn cell_in(&self, m: &Member, year: i16) -> usize {
        match m.moved {
            Some((to, y, _)) if year >= y => to as usize,
            _ => m.cell as usize,
        }
    }

    /// A member's level of a year: able members mostly excel, every level occurs.
    fn level(&self, member: usize, year: i16) -> Level {
        let r = below(self.draw(Purpose::Level, member as u64, year as u64), 1000);
        let excellent = if self.members[member].able { 620 } else { 75 };
        match r {
            r if r < excellent => Level::Htxsnv,
            r if r < 910 => Level::Httnv,
            r if r < 990 => Level::Htnv,
            _ => Level::Khtnv,
        }
    }

    fn org_level(&self, org: OrgId, year: i16) -> Level {
        match below(self.draw(Purpose::OrgLevel, org.0 as u64, year as u64), 100) {
            r if r < 22 => Level::Htxsnv,
            r if r < 90 => Level::Httnv,
            r if r < 98 => Level::Htnv,
            _ => Level::Khtnv,
        }
    }

    fn name(&self, member: usize) -> (String, bool) {
        let v = self.draw(Purpose::Name, member as u64, 0);
        let female = v & 1 == 1;
        let (middle, given) = if female { (MIDDLE_WOMEN, GIVEN_WOMEN) } else { (MIDDLE_MEN, GIVEN_MEN) };
        let name = format!(
            "{} {} {}",
            FAMILY[below(v >> 1, FAMILY.len() as u64) as usize],
            middle[below(v >> 8, middle.len() as u64) as usize],
            given[below(v >> 16, given.len() as u64) as usize]
        );
        (name, female)
    }
}

impl App {
    /// Writes a synthetic world into an empty database. See the module's documentation.
    pub async fn generate(&self, scale: Scale, seed: u64, progress: Progress<'_>) -> Result<WorldReport, AppError> {
        if self.store.holds_data().await? {
            return Err(AppError::NotEmpty);
        }
        let mut report = WorldReport::default();
        let mut world = self.generate_orgs(scale, seed, &mut report, progress).await?;
        self.generate_clusters(&world, &mut report, progress).await?;
        self.generate_members(&mut world, &mut report, progress).await?;
        self.generate_evaluations(&world, &mut report, progress).await?;
        self.generate_awards(&world, &mut report, progress).await?;
        self.generate_documents(&world, scale.documents_per_year(), &mut report, progress).await?;
        self.generate_transfers(&world, &mut report, progress).await?;
        let mut tx = self.store.begin().await?;
        let summary = format!(
            "seed {seed}: {} organizations, {} clusters, {} members, {} badges, {} evaluations, {} awards, {} documents, {} transfers",
            report.orgs, report.clusters, report.members, report.badges, report.evaluations, report.awards, report.documents, report.transfers
        );
        tx.audit(None, &Principal::system().record("world.generate", "system", summary)).await?;
        tx.commit().await?;
        self.store.refresh_statistics().await?;
        Ok(report)
    }

    async fn generate_orgs(&self, scale: Scale, seed: u64, report: &mut WorldReport, progress: Progress<'_>) -> Result<World, AppError> {
        let members = scale.members();
        let cells = members.div_ceil(MEMBERS_PER_CELL).max(1);
        let grassroots = cells.div_ceil(CELLS_PER_GRASSROOTS).max(1);
        let uppers = grassroots.div_ceil(GRASSROOTS_PER_UPPER).max(2);
        let provinces = if members > 2_000_000 { uppers.div_ceil(UPPERS_PER_PROVINCE).max(1) } else { 1 };
        let total = provinces + uppers + grassroots + cells;
        let mut world = World { seed, size: members, provinces: Vec::new(), uppers: Vec::new(), areas: Vec::new(), grassroots: Vec::new(), cells: Vec::new(), members: Vec::new() };
        let mut tx = self.store.begin().await?;

        // Level by level, in batches: the registry is copied once per batch.
        let places: Vec<&'static str> = (0..provinces as usize).map(|p| PROVINCES[p % PROVINCES.len()]).collect();
        let names: Vec<(Option<OrgId>, String)> = places
            .iter()
            .enumerate()
            .map(|(p, place)| {
                let place = if p < PROVINCES.len() { place.to_string() } else { format!("{place} {}", p / PROVINCES.len() + 1) };
                let committee = if provinces == 1 || place.starts_with("Thành phố") { "Thành ủy" } else { "Tỉnh ủy" };
                (None, format!("{committee} {place}"))
            })
            .collect();
        let ids = create_orgs(&mut tx, OrgKind::ProvincialCommittee, &names, |_| {}).await?;
        world.provinces = ids.into_iter().zip(names).zip(places).map(|((id, (_, name)), place)| (id, name, place)).collect();
        progress("Tổ chức đảng", provinces, total);

        let specs: Vec<(Option<OrgId>, String)> = (0..uppers as usize)
            .map(|u| {
                let name = match u % 3 {
                    0 => format!("Đảng bộ Quận {}", u / 3 + 1),
                    1 => format!("Đảng bộ Huyện {}", u / 3 + 1),
                    _ => format!("Đảng ủy Khối Cơ quan {}", u / 3 + 1),
                };
                (Some(world.provinces[u % world.provinces.len()].0), name)
            })
            .collect();
        let ids = create_orgs(&mut tx, OrgKind::UpperGrassrootsCommittee, &specs, |_| {}).await?;
        world.uppers = ids.into_iter().zip(specs).enumerate().map(|(u, (id, (_, name)))| Upper { id, name, province: u % world.provinces.len(), merged_into: None }).collect();
        progress("Tổ chức đảng", provinces + uppers, total);

        let per_upper = world.uppers.len();
        let specs: Vec<(Option<OrgId>, String)> = (0..grassroots as usize)
            .map(|g| (Some(world.uppers[g % per_upper].id), format!("{} {}", GRASSROOTS_KINDS[g % GRASSROOTS_KINDS.len()], g / per_upper + 1)))
            .collect();
        let ids = create_orgs(&mut tx, OrgKind::GrassrootsCommittee, &specs, |n| progress("Tổ chức đảng", provinces + uppers + n as u64, total)).await?;
        world.grassroots = ids.into_iter().zip(specs).enumerate().map(|(g, (id, (_, name)))| Grassroots { id, name, upper: g % per_upper, merged_into: None }).collect();

        let per_grassroots = world.grassroots.len();
        let specs: Vec<(Option<OrgId>, String)> = (0..cells as usize)
            .map(|c| {
                let g = c % per_grassroots;
                (Some(world.grassroots[g].id), format!("{} {}", CELL_KINDS[g % CELL_KINDS.len()], c / per_grassroots + 1))
            })
            .collect();
        let ids = create_orgs(&mut tx, OrgKind::Cell, &specs, |n| progress("Tổ chức đảng", total - cells + n as u64, total)).await?;
        world.cells = ids.into_iter().enumerate().map(|(c, id)| (id, c % per_grassroots)).collect();

        // 2020: one grassroots organization in fifty merges into its neighbour under the same
        // upper committee (sáp nhập), its cells moving along.
        let mut merges = Vec::new();
        let mut targets = vec![false; world.grassroots.len()];
        for g in 0..world.grassroots.len() {
            let neighbour = g + per_upper;
            // One step only: a target does not merge on, and a source takes nobody in.
            if g % 50 == 7 && neighbour < world.grassroots.len() && !targets[g] && world.grassroots[neighbour].merged_into.is_none() {
                targets[neighbour] = true;
                world.grassroots[g].merged_into = Some(neighbour);
                let into = Target::Existing(world.grassroots[neighbour].id);
                merges.push((GRASSROOTS_MERGER, OrgChange::Merge { sources: vec![world.grassroots[g].id], into }, Some("Sáp nhập theo nghị quyết của cấp ủy cấp trên".to_owned())));
            }
        }
        // 2025: the upper committees merge two by two into new ones (Đảng bộ khu vực).
        let mut pairs = Vec::new();
        let mut by_province: HashMap<usize, Vec<usize>> = HashMap::new();
        for (u, upper) in world.uppers.iter().enumerate() {
            by_province.entry(upper.province).or_default().push(u);
        }
        let mut provinces: Vec<_> = by_province.into_iter().collect();
        provinces.sort();
        for (province, ups) in provinces {
            for (k, pair) in ups.chunks(2).enumerate() {
                if pair.len() == 2 {
                    let name = format!("Đảng bộ Khu vực {} – {}", k + 1, world.provinces[province].2);
                    let spec = OrgSpec { kind: OrgKind::UpperGrassrootsCommittee, name: name.clone(), short_name: None, parent: Some(world.provinces[province].0) };
                    pairs.push((pair[0], pair[1], name, province));
                    merges.push((UPPER_MERGER, OrgChange::Merge { sources: vec![world.uppers[pair[0]].id, world.uppers[pair[1]].id], into: Target::New(NewOrg { org: (), spec }) }, Some("Sắp xếp tổ chức bộ máy năm 2025".to_owned())));
                }
            }
        }
        let events = tx.record_org_events(merges).await?;
        let created: Vec<OrgId> = events.iter().flat_map(|e| e.change.created().into_iter().map(|n| n.org)).collect();
        for ((a, b, name, province), new) in pairs.into_iter().zip(created) {
            world.uppers[a].merged_into = Some(world.areas.len());
            world.uppers[b].merged_into = Some(world.areas.len());
            world.areas.push((new, name, province));
        }
        tx.commit().await?;
        report.orgs = total + world.areas.len() as u64;
        progress("Tổ chức đảng", total, total);
        Ok(world)
    }

    async fn generate_clusters(&self, world: &World, report: &mut WorldReport, progress: Progress<'_>) -> Result<(), AppError> {
        let criteria = parse_criteria(CRITERIA_2023).map_err(AppError::Criteria)?;
        let scoring = ClusterRules::default().scoring;
        let mut groups: Vec<(usize, Vec<usize>)> = Vec::new();
        for u in 0..world.uppers.len() {
            let mine: Vec<usize> = (u..world.grassroots.len()).step_by(world.uppers.len()).collect();
            groups.extend(mine.chunks(UNITS_PER_CLUSTER).map(|c| (u, c.to_vec())));
        }
        let total = groups.len() as u64;
        progress("Cụm thi đua", 0, total);
        let mut tx = self.store.begin().await?;
        for (k, (u, units)) in groups.iter().enumerate() {
            let upper = &world.uppers[*u];
            let name = format!("Cụm thi đua số {} – {}", k + 1, upper.name);
            let cluster = tx.create_cluster(&name, upper.id, None).await?;
            let mut current = Vec::new();
            for year in FIRST_YEAR..=CURRENT_YEAR {
                let live: Vec<OrgId> = units.iter().filter(|g| world.is_live(**g, year)).map(|g| world.grassroots[*g].id).collect();
                // The lead passes down the list year by year; the next unit is deputy.
                let lead = year as usize % live.len().max(1);
                let members = live
                    .iter()
                    .enumerate()
                    .map(|(i, o)| {
                        let role = if i == lead { ClusterRole::Leader } else if live.len() > 1 && i == (lead + 1) % live.len() { ClusterRole::Deputy } else { ClusterRole::Member };
                        (*o, role)
                    })
                    .collect();
                let cy = ClusterYear { year, members };
                tx.set_cluster_year(cluster, &cy).await?;
                current = cy.members;
            }
            self.open_campaign(&mut tx, cluster, &current, &criteria, scoring).await?;
            if (k + 1) % 500 == 0 {
                tx.commit().await?;
                tx = self.store.begin().await?;
                progress("Cụm thi đua", k as u64 + 1, total);
            }
        }
        tx.commit().await?;
        report.clusters = total;
        progress("Cụm thi đua", total, total);
        Ok(())
    }

    /// The 2026 campaign of a cluster, its units registered and its scoring round open: the
    /// state the year-end crunch works on.
    async fn open_campaign(
        &self,
        tx: &mut Tx,
        cluster: ClusterId,
        members: &[(OrgId, ClusterRole)],
        criteria: &[thidua_core::emulation::Criterion],
        rules: thidua_core::scoring::ScoringRules,
    ) -> Result<(), AppError> {
        let campaign = CampaignRow {
            id: 0,
            cluster,
            kind: CampaignKind::Regular,
            year: CURRENT_YEAR,
            title: format!("Phong trào thi đua năm {CURRENT_YEAR}"),
            theme: None,
            starts_on: day(CURRENT_YEAR, 1, 1),
            ends_on: day(CURRENT_YEAR, 12, 31),
            launch_document: None,
            scale: 1000,
        };
        let id = tx.create_campaign(&campaign).await?;
        tx.replace_criteria(id, criteria).await?;
        for (org, _) in members {
            let r = RegistrationRow { org: *org, targets: TARGETS.iter().map(|t| t.to_string()).collect(), titles: Vec::new() };
            tx.set_registration(id, &r).await?;
        }
        let role = |r: ClusterRole| members.iter().find(|(_, x)| *x == r).map(|(o, _)| *o);
        let round = RoundRow {
            id: 0,
            campaign: id,
            cluster,
            year: CURRENT_YEAR,
            criteria: criteria.to_vec(),
            scale: 1000,
            rules,
            leader: role(ClusterRole::Leader),
            deputy: role(ClusterRole::Deputy),
            members: members.iter().map(|(o, _)| *o).collect(),
            closed: false,
            version: 1,
        };
        tx.create_round(&round).await?;
        Ok(())
    }

    async fn generate_members(&self, world: &mut World, report: &mut WorldReport, progress: Progress<'_>) -> Result<(), AppError> {
        let total = world.size;
        let cells = world.cells.len() as u64;
        // CCCD serials by province, gender and year of birth.
        let mut serials: HashMap<(u16, bool, i16), u32> = HashMap::new();
        let created_unix = unix(FOUNDED);
        let columns = [
            "id", "full_name", "name_fold", "birth_date", "gender", "cccd", "party_card", "admitted_on", "official_on", "org_id", "temporary_org_id",
            "phone", "email", "address", "seriously_ill", "version", "created_unix",
        ];
        let mut rows = Vec::with_capacity(BATCH);
        let badge_columns = ["id", "member_id", "milestone", "awarded_on", "early", "decision"];
        let mut badges = Vec::new();
        let membership = self.rules.membership_on(WORLD_DAY).map_err(AppError::Rules)?;
        progress("Đảng viên", 0, total);
        let mut tx = self.store.begin().await?;
        for i in 0..total as usize {
            let cell = below(world.draw(Purpose::Cell, i as u64, 0), cells) as u32;
            let born_year = 1950 + below(world.draw(Purpose::Birth, i as u64, 0), 50) as i16;
            let born = plus_days(day(born_year, 1, 1), below(world.draw(Purpose::Birth, i as u64, 1), 365) as i64);
            let earliest = (born_year + 18).max(1975);
            let admitted_year = earliest + below(world.draw(Purpose::Admitted, i as u64, 0), (CURRENT_YEAR - earliest).max(1) as u64) as i16;
            // Never before the eighteenth birthday, which the member form checks.
            let adult = born.checked_add(jiff::Span::new().years(18)).unwrap_or(born);
            let admitted = plus_days(day(admitted_year, 1, 1), below(world.draw(Purpose::Admitted, i as u64, 1), 360) as i64).max(adult);
            let official = plus_days(admitted, 365);
            let able = below(world.draw(Purpose::Talent, i as u64, 0), 100) < 15;
            // One member in twelve moved once, to a cell of another grassroots organization.
            let mv = world.draw(Purpose::Move, i as u64, 0);
            let moved = (below(mv, 12) == 0 && admitted_year < MOVES_FROM).then(|| {
                let to = below(mv >> 8, cells) as u32;
                let to = if world.cells[to as usize].1 == world.cells[cell as usize].1 { ((to as u64 + 1) % cells) as u32 } else { to };
                (to, MOVES_FROM + below(mv >> 32, (CURRENT_YEAR - MOVES_FROM) as u64) as i16, below(mv >> 40, 330) as u16)
            });
            let m = Member { cell, moved, admitted_year, able };
            let now_cell = world.cell_in(&m, CURRENT_YEAR);
            world.members.push(m);
            let (name, female) = world.name(i);
            let province = PROVINCE_CODES[world.uppers[world.grassroots[world.cells[now_cell].1].upper].province % PROVINCE_CODES.len()];
            let serial = serials.entry((province, female, born_year)).or_insert(0);
            *serial += 1;
            let cccd = crate::demo::members::cccd(province, born, if female { Gender::Female } else { Gender::Male }, *serial)?;
            rows.push(vec![
                Cell::from(i as i64 + 1),
                Cell::from(name.clone()),
                Cell::from(fold(&name)),
                Cell::from(thidua_core::date::iso(born)),
                Cell::from(if female { "female" } else { "male" }),
                Cell::from(cccd.as_str()),
                Cell::from(format!("{:08}", i + 1)),
                Cell::from(thidua_core::date::iso(admitted)),
                Cell::from((official <= WORLD_DAY).then(|| thidua_core::date::iso(official))),
                Cell::from(world.cells[now_cell].0 .0),
                Cell::Int(None),
                Cell::Text(None),
                Cell::Text(None),
                Cell::Text(None),
                Cell::from(0),
                Cell::from(1),
                Cell::from(created_unix),
            ]);
            for (milestone, on) in badge_history(world, membership, i, admitted) {
                report.badges += 1;
                badges.push(vec![Cell::from(report.badges as i64), Cell::from(i as i64 + 1), Cell::from(i64::from(milestone)), Cell::from(thidua_core::date::iso(on)), Cell::from(0), Cell::Text(None)]);
            }
            if rows.len() == BATCH {
                tx.insert_rows("member", &columns, &rows).await?;
                tx.insert_rows("badge_award", &badge_columns, &badges).await?;
                rows.clear();
                badges.clear();
                if (i + 1) % (BATCH * 10) == 0 {
                    tx.commit().await?;
                    tx = self.store.begin().await?;
                }
                progress("Đảng viên", i as u64 + 1, total);
            }
        }
        tx.insert_rows("member", &columns, &rows).await?;
        tx.insert_rows("badge_award", &badge_columns, &badges).await?;
        tx.resume_ids(&["member", "badge_award"]).await?;
        tx.commit().await?;
        report.members = total;
        progress("Đảng viên", total, total);
        Ok(())
    }

    async fn generate_evaluations(&self, world: &World, report: &mut WorldReport, progress: Progress<'_>) -> Result<(), AppError> {
        let years: Vec<i16> = (FIRST_YEAR..=CURRENT_YEAR).filter(|y| self.rules.evaluation_for(*y).is_ok()).collect();
        let round_columns = ["id", "org_id", "year", "rules_source", "concluded", "concluded_by", "concluded_on", "created_by", "version"];
        let columns = ["round_id", "kind", "member_id", "org_id", "cell_id", "assessment", "concluded_level", "concluded_by", "concluded_on", "version"];
        let total = world.members.len() as u64 * years.len() as u64;
        let mut done = 0u64;
        let mut round_id = 0i64;
        progress("Đánh giá, xếp loại", 0, total);
        for year in years {
            let source = self.rules.evaluation_for(year).map_err(AppError::Rules)?.source.clone();
            let concluded = year < CURRENT_YEAR;
            let on = day(year + 1, 1, 15);
            let conclusion = |level: Level| -> [Cell; 3] {
                if concluded {
                    [Cell::from(level.code()), Cell::from(ACTOR), Cell::from(thidua_core::date::iso(on))]
                } else {
                    [Cell::Text(None), Cell::Text(None), Cell::Text(None)]
                }
            };
            let mut tx = self.store.begin().await?;
            let mut rounds = HashMap::new();
            let mut round_rows = Vec::new();
            let mut rows = Vec::new();
            for g in world.live_grassroots(year) {
                round_id += 1;
                rounds.insert(g, round_id);
                let org = world.grassroots[g].id;
                round_rows.push(vec![
                    Cell::from(round_id),
                    Cell::from(org.0),
                    Cell::from(i64::from(year)),
                    Cell::from(source.as_str()),
                    Cell::from(i64::from(concluded)),
                    Cell::from(concluded.then_some(ACTOR)),
                    Cell::from(concluded.then(|| thidua_core::date::iso(on))),
                    Cell::from(ACTOR),
                    Cell::from(1),
                ]);
                for kind in [SubjectKind::Organization, SubjectKind::LeadershipCollective] {
                    let [l, by, at] = conclusion(world.org_level(org, year));
                    rows.push(vec![Cell::from(round_id), Cell::from(kind.code()), Cell::Int(None), Cell::from(org.0), Cell::from(org.0), Cell::from("{}"), l, by, at, Cell::from(1)]);
                }
            }
            for (c, (cell, _)) in world.cells.iter().enumerate() {
                let round = rounds[&world.grassroots_of(c, year)];
                let [l, by, at] = conclusion(world.org_level(*cell, year));
                rows.push(vec![Cell::from(round), Cell::from(SubjectKind::Organization.code()), Cell::Int(None), Cell::from(cell.0), Cell::from(cell.0), Cell::from("{}"), l, by, at, Cell::from(1)]);
            }
            tx.insert_rows("evaluation_round", &round_columns, &round_rows).await?;
            tx.insert_rows("evaluation", &columns, &rows).await?;
            report.evaluations += rows.len() as u64;
            rows.clear();
            for (i, m) in world.members.iter().enumerate() {
                if m.admitted_year < year {
                    let cell = world.cell_in(m, year);
                    let round = rounds[&world.grassroots_of(cell, year)];
                    let [l, by, at] = conclusion(world.level(i, year));
                    rows.push(vec![Cell::from(round), Cell::from(SubjectKind::Member.code()), Cell::from(i as i64 + 1), Cell::Int(None), Cell::from(world.cells[cell].0 .0), Cell::from("{}"), l, by, at, Cell::from(1)]);
                }
                if rows.len() == BATCH {
                    tx.insert_rows("evaluation", &columns, &rows).await?;
                    report.evaluations += rows.len() as u64;
                    rows.clear();
                    progress("Đánh giá, xếp loại", done + i as u64 + 1, total);
                }
            }
            tx.insert_rows("evaluation", &columns, &rows).await?;
            report.evaluations += rows.len() as u64;
            tx.resume_ids(&["evaluation_round", "evaluation"]).await?;
            tx.commit().await?;
            done += world.members.len() as u64;
            progress("Đánh giá, xếp loại", done, total);
        }
        Ok(())
    }

    /// Each year's decisions of each upper committee (in January of the next year): members with
    /// five years of HTXSNV in a row (the rulebook's form), a certificate of merit (giấy khen) for
    /// some excellent members, and outstanding grassroots organizations.
    async fn generate_awards(&self, world: &World, report: &mut WorldReport, progress: Progress<'_>) -> Result<(), AppError> {
        let years: Vec<i16> = (FIRST_YEAR..CURRENT_YEAR).filter(|y| self.rules.evaluation_for(*y).is_ok()).collect();
        let Some(&first) = years.first() else { return Ok(()) };
        let mut persons: HashMap<usize, i64> = HashMap::new();
        let mut numbers: HashMap<OrgId, u32> = HashMap::new();
        let (mut decision_id, mut award_id) = (0i64, 0i64);
        let total = years.len() as u64;
        progress("Khen thưởng", 0, total);
        for (k, &year) in years.iter().enumerate() {
            let decided = day(year + 1, 1, 20);
            let issuer_of = |g: usize| {
                let u = &world.uppers[world.grassroots[g].upper];
                match u.merged_into {
                    Some(area) if decided >= UPPER_MERGER => world.areas[area].0,
                    _ => u.id,
                }
            };
            // Awards by issuer: (title, member or organization).
            let mut by_issuer: std::collections::BTreeMap<OrgId, Vec<(&str, Honoured)>> = Default::default();
            for (i, m) in world.members.iter().enumerate() {
                if m.admitted_year >= first || world.level(i, year) != Level::Htxsnv {
                    continue;
                }
                let streak = (first..=year).rev().take_while(|y| world.level(i, *y) == Level::Htxsnv).count();
                let g = world.grassroots_of(world.cell_in(m, year), year);
                if streak == 5 || streak == 10 {
                    by_issuer.entry(issuer_of(g)).or_default().push(("dv_htxsnv_5_nam", Honoured::Member(i)));
                } else if below(world.draw(Purpose::Award, i as u64, year as u64), 10) == 0 {
                    by_issuer.entry(issuer_of(g)).or_default().push(("giay_khen", Honoured::Member(i)));
                }
            }
            for g in world.live_grassroots(year) {
                let org = world.grassroots[g].id;
                if world.org_level(org, year) == Level::Htxsnv && below(world.draw(Purpose::Award, org.0 as u64, year as u64), 5) == 0 {
                    by_issuer.entry(issuer_of(g)).or_default().push(("tcd_htxsnv_tieu_bieu", Honoured::Org(org)));
                }
            }
            let mut tx = self.store.begin().await?;
            let (mut decisions, mut people, mut awards) = (Vec::new(), Vec::new(), Vec::new());
            for (issuer, list) in by_issuer {
                let n = numbers.entry(issuer).or_insert(0);
                *n += 1;
                decision_id += 1;
                decisions.push(vec![
                    Cell::from(decision_id),
                    Cell::from(issuer.0),
                    Cell::from(format!("{}-QĐ/ĐU", *n)),
                    Cell::from(thidua_core::date::iso(decided)),
                    Cell::from("Bí thư Đảng ủy"),
                    Cell::from(format!("Khen thưởng tổ chức đảng, đảng viên hoàn thành xuất sắc nhiệm vụ năm {year}")),
                    Cell::from(ACTOR),
                ]);
                for (title, whom) in list {
                    award_id += 1;
                    let (org, person) = match whom {
                        Honoured::Org(org) => (Some(org.0), None),
                        Honoured::Member(i) => {
                            let next = persons.len() as i64 + 1;
                            let person = *persons.entry(i).or_insert_with(|| {
                                let (name, _) = world.name(i);
                                let cell = world.cells[world.cell_in(&world.members[i], year)].0;
                                people.push(vec![Cell::from(next), Cell::from(name.clone()), Cell::from(fold(&name)), Cell::from(cell.0), Cell::from(i as i64 + 1), Cell::Text(None), Cell::from(ACTOR)]);
                                next
                            });
                            (None, Some(person))
                        }
                    };
                    awards.push(vec![Cell::from(award_id), Cell::from(decision_id), Cell::from(title), Cell::from(i64::from(year)), Cell::from(org), Cell::from(person), Cell::from(0)]);
                }
            }
            tx.insert_rows("award_decision", &["id", "issuer_org_id", "number_symbol", "decided_on", "signer", "summary", "created_by"], &decisions).await?;
            tx.insert_rows("person", &["id", "full_name", "name_fold", "org_id", "member_id", "position", "created_by"], &people).await?;
            tx.insert_rows("award", &["id", "decision_id", "title", "year", "org_id", "person_id", "revoked"], &awards).await?;
            tx.resume_ids(&["award_decision", "person", "award"]).await?;
            tx.commit().await?;
            report.awards += awards.len() as u64;
            progress("Khen thưởng", k as u64 + 1, total);
        }
        Ok(())
    }

    /// Registers of the committees (provincial, upper, grassroots): outgoing documents numbered per
    /// term and type, incoming ones per year, each with a Vietnamese summary (trích yếu).
    async fn generate_documents(&self, world: &World, per_year: u32, report: &mut WorldReport, progress: Progress<'_>) -> Result<(), AppError> {
        let mut registers: Vec<Register> = Vec::new();
        for (id, name, _) in &world.provinces {
            registers.push(Register { org: *id, code: "TU", name: name.clone(), from: FOUNDED, until: None, parent: "Ban Tổ chức Trung ương".into() });
        }
        for u in &world.uppers {
            let province = world.provinces[u.province].1.clone();
            registers.push(Register { org: u.id, code: "ĐU", name: u.name.clone(), from: FOUNDED, until: u.merged_into.map(|_| UPPER_MERGER), parent: province });
        }
        for (id, name, province) in &world.areas {
            registers.push(Register { org: *id, code: "ĐU", name: name.clone(), from: UPPER_MERGER, until: None, parent: world.provinces[*province].1.clone() });
        }
        for gr in &world.grassroots {
            let until = gr.merged_into.map(|_| GRASSROOTS_MERGER);
            registers.push(Register { org: gr.id, code: "ĐU", name: gr.name.clone(), from: FOUNDED, until, parent: world.uppers[gr.upper].name.clone() });
        }
        let total = registers.len() as u64;
        let weights: u64 = OUT_TYPES.iter().map(|(_, w)| *w as u64).sum();
        let now = unix(WORLD_DAY);
        let (mut doc_id, mut docs) = (0i64, Vec::with_capacity(BATCH + 1000));
        progress("Văn bản", 0, total);
        let mut tx = self.store.begin().await?;
        for (r, Register { org, code, name, from, until, parent }) in registers.iter().enumerate() {
            tx.set_register(*org, code).await?;
            let mut terms = Vec::new();
            for (start, end) in [(2015, 2020), (2020, 2025), (2025, 2030)] {
                let starts = day(start, 10, 1).max(*from);
                let ends = day(end, 9, 30);
                if until.is_none_or(|u| starts < u) && ends >= *from {
                    let id = tx.add_term(*org, &format!("Nhiệm kỳ {start}–{end}"), starts, (end < 2030).then_some(ends)).await?;
                    terms.push((id, starts, ends));
                }
            }
            let mut next: HashMap<(i64, &str), i64> = HashMap::new();
            for year in FIRST_YEAR..=CURRENT_YEAR {
                let first = day(year, 1, 2).max(*from);
                let last = day(year, 12, 28).min(WORLD_DAY).min(until.map_or(WORLD_DAY, |u| plus_days(u, -1)));
                let span = (last - first).get_days() as i64;
                if span <= 0 {
                    continue;
                }
                let mut arrival = 0;
                for i in 0..per_year as u64 {
                    let v = draw(world.seed, Purpose::Document as u64, org.0 as u64, (year as u64) << 16 | i);
                    let on = plus_days(first, (i as i64 * span) / per_year as i64);
                    let topic = TOPICS[below(v, TOPICS.len() as u64) as usize];
                    let action = ACTIONS[below(v >> 8, ACTIONS.len() as u64) as usize];
                    let subject = SUBJECTS[below(v >> 16, SUBJECTS.len() as u64) as usize];
                    // Outgoing: typed by the register's usual shares, numbered within the term.
                    let mut pick = below(v >> 24, weights);
                    let kind = OUT_TYPES.iter().find(|(_, w)| {
                        let hit = pick < *w as u64;
                        pick = pick.saturating_sub(*w as u64);
                        hit
                    }).map_or("CV", |(k, _)| *k);
                    if let Some((term, _, _)) = terms.iter().find(|(_, s, e)| *s <= on && on <= *e) {
                        let number = next.entry((*term, kind)).or_insert(1);
                        let summary = if v >> 62 == 0 { format!("{} {topic} đối với {subject}", capitalized(action)) } else { format!("{} {topic} năm {year}", capitalized(action)) };
                        let mut row = DocumentRow::new(Direction::Outgoing, *org, kind, &summary, "system");
                        row.number = Some(*number);
                        row.issuer_code = Some((*code).into());
                        row.symbol = Some(format!("{number}-{kind}/{code}"));
                        row.scope = Some(format!("term:{term}"));
                        row.issued_on = Some(on);
                        row.issuer_name = Some(name.clone());
                        row.created_by = ACTOR.into();
                        doc_id += 1;
                        row.id = doc_id;
                        docs.push(row);
                        *number += 1;
                    }
                    // Incoming: from the level above, numbered on arrival within the year.
                    arrival += 1;
                    let source_type = ["CV", "HD", "KH", "TB", "QĐ"][below(v >> 40, 5) as usize];
                    let source_number = 1 + below(v >> 44, 900) as i64;
                    let mut row = DocumentRow::new(Direction::Incoming, *org, source_type, &format!("Về việc {action} {topic}"), "system");
                    let issuer = if r % 2 == 0 { parent.clone() } else { SOURCES[below(v >> 52, SOURCES.len() as u64) as usize].to_owned() };
                    row.symbol = Some(format!("{source_number}-{source_type}/{}", if r % 2 == 0 { "ĐU" } else { "BTCTW" }));
                    row.issuer_code = row.symbol.as_ref().and_then(|s| s.split('/').nth(1)).map(str::to_owned);
                    row.number = Some(source_number);
                    row.issuer_name = Some(issuer);
                    row.issued_on = Some(plus_days(on, -3));
                    row.arrival_on = Some(on);
                    row.arrival_number = Some(arrival);
                    row.scope = Some(format!("arrival:{year}"));
                    row.status = if year == CURRENT_YEAR && i + 2 >= per_year as u64 { "in_progress".into() } else { "filed".into() };
                    row.created_by = ACTOR.into();
                    doc_id += 1;
                    row.id = doc_id;
                    docs.push(row);
                }
                if arrival > 0 {
                    tx.set_next_number(*org, &format!("arrival:{year}"), "ĐẾN", arrival + 1).await?;
                }
            }
            for ((term, kind), n) in next {
                tx.set_next_number(*org, &format!("term:{term}"), kind, n).await?;
            }
            if docs.len() >= BATCH {
                tx.insert_documents(&docs, now).await?;
                report.documents += docs.len() as u64;
                docs.clear();
                tx.commit().await?;
                tx = self.store.begin().await?;
                progress("Văn bản", r as u64 + 1, total);
            }
        }
        tx.insert_documents(&docs, now).await?;
        report.documents += docs.len() as u64;
        tx.resume_ids(&["document"]).await?;
        tx.commit().await?;
        progress("Văn bản", total, total);
        Ok(())
    }

    /// The transfers the members' moves imply: introduced, received and completed within a fortnight.
    async fn generate_transfers(&self, world: &World, report: &mut WorldReport, progress: Progress<'_>) -> Result<(), AppError> {
        let columns = [
            "id", "member_id", "kind", "purpose", "until_on", "from_org_id", "to_org_id", "addressed_org_id", "external_to", "trigger_on", "introduced_on",
            "letter_number", "late_reason", "state", "last_step_on", "reported_on", "report_late_reason", "received_on", "completed_on", "closed_reason",
            "created_by", "external_from",
        ];
        let step_columns = ["transfer_id", "step", "on_date", "note", "actor", "at_unix"];
        let moves: Vec<(usize, u32, (u32, i16, u16))> = world.members.iter().enumerate().filter_map(|(i, m)| Some((i, m.cell, m.moved?))).collect();
        let total = moves.len() as u64;
        progress("Chuyển sinh hoạt đảng", 0, total);
        let mut tx = self.store.begin().await?;
        let (mut rows, mut steps) = (Vec::new(), Vec::new());
        for (k, &(i, from, (to, year, doy))) in moves.iter().enumerate() {
            let id = k as i64 + 1;
            let trigger = plus_days(day(year, 1, 2), i64::from(doy));
            let (introduced, received, completed) = (plus_days(trigger, 3), plus_days(trigger, 10), plus_days(trigger, 13));
            let iso = thidua_core::date::iso;
            rows.push(vec![
                Cell::from(id),
                Cell::from(i as i64 + 1),
                Cell::from("official"),
                Cell::Text(None),
                Cell::Text(None),
                Cell::from(world.cells[from as usize].0 .0),
                Cell::from(world.cells[to as usize].0 .0),
                Cell::Int(None),
                Cell::Text(None),
                Cell::from(iso(trigger)),
                Cell::from(iso(introduced)),
                Cell::from(format!("{id}-GGT/ĐU")),
                Cell::Text(None),
                Cell::from(TransferState::Completed.code()),
                Cell::from(iso(completed)),
                Cell::Text(None),
                Cell::Text(None),
                Cell::from(iso(received)),
                Cell::from(iso(completed)),
                Cell::Text(None),
                Cell::from(ACTOR),
                Cell::Text(None),
            ]);
            for (step, on) in [("introduce", introduced), (TransferState::Received.code(), received), (TransferState::Completed.code(), completed)] {
                steps.push(vec![Cell::from(id), Cell::from(step), Cell::from(iso(on)), Cell::Text(None), Cell::from(ACTOR), Cell::from(unix(on))]);
            }
            if rows.len() == BATCH / 4 {
                tx.insert_rows("transfer", &columns, &rows).await?;
                tx.insert_rows("transfer_step", &step_columns, &steps).await?;
                rows.clear();
                steps.clear();
                progress("Chuyển sinh hoạt đảng", k as u64 + 1, total);
            }
        }
        tx.insert_rows("transfer", &columns, &rows).await?;
        tx.insert_rows("transfer_step", &step_columns, &steps).await?;
        tx.resume_ids(&["transfer", "transfer_step"]).await?;
        tx.commit().await?;
        report.transfers = total;
        progress("Chuyển sinh hoạt đảng", total, total);
        Ok(())
    }
}

/// The badges a member has received by the world's day: each milestone on the first presentation
/// day after it was reached. Those reached since the last presentation day are pending, and one
/// member in forty has one of the first three still pending (which holds back the later ones):
/// the candidates a presentation day finds in a register kept up to date.
fn badge_history(world: &World, rules: &thidua_core::rulebook::MembershipRules, member: usize, admitted: Date) -> Vec<(u16, Date)> {
    let held = (below(world.draw(Purpose::Badge, member as u64, 0), 40) == 0).then(|| below(world.draw(Purpose::Badge, member as u64, 1), 3) as usize);
    let mut out = Vec::new();
    for (k, &milestone) in rules.badge_milestones.iter().enumerate() {
        let Some(due) = thidua_core::member::milestone_date(admitted, &[], milestone) else { break };
        let Some(&on) = thidua_core::badge::presentation_days(rules, due, plus_days(due, 366)).first() else { break };
        if on > WORLD_DAY || held == Some(k) {
            break;
        }
        out.push((milestone, on));
    }
    out
}

/// Creates organizations of one kind, each under its parent, on the founding day, in batches;
/// returns their ids in order and tells `done` how many are made after each batch.
async fn create_orgs(tx: &mut Tx, kind: OrgKind, specs: &[(Option<OrgId>, String)], done: impl Fn(usize)) -> Result<Vec<OrgId>, AppError> {
    let mut ids = Vec::with_capacity(specs.len());
    for chunk in specs.chunks(BATCH) {
        let changes = chunk
            .iter()
            .map(|(parent, name)| (FOUNDED, OrgChange::Create(NewOrg { org: (), spec: OrgSpec { kind, name: name.clone(), short_name: None, parent: *parent } }), None))
            .collect();
        ids.extend(tx.record_org_events(changes).await?.iter().map(|e| e.change.created()[0].org));
        done(ids.len());
    }
    Ok(ids)
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}
