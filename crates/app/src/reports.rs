//! Reports the hierarchy asks for, generated from the data: a cluster's quarterly, six-month and
//! annual report and the list of a decision's awards as Party-format docx, and the year-end
//! package of an organization as one workbook.

use std::collections::{BTreeMap, BTreeSet};

use jiff::civil::Date;
use thidua_core::access::Action;
use thidua_core::cluster::ClusterId;
use thidua_core::date::{format_date, long_date};
use thidua_core::emulation::TaskStatus;
use thidua_core::org::OrgId;
use thidua_office::{Cell, PartyDocument, IN_MEMORY_ROWS};

use thidua_core::commendation::DossierState;
use thidua_core::evaluation::SubjectKind;
use thidua_core::vi::{collation_key, format_decimal, Lang};

use crate::auth::Principal;
use crate::evaluation::kind_label;
use crate::{today, App, AppError, FieldProblem, Invalid};

/// The period a cluster's report covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportPeriod {
    /// Quý 1–4.
    Quarter(u8),
    /// Sáu tháng đầu năm.
    Half,
    Year,
}

impl ReportPeriod {
    /// `q1`…`q4`, `h1`, `year`.
    pub fn from_code(code: &str) -> Option<ReportPeriod> {
        match code {
            "q1" => Some(ReportPeriod::Quarter(1)),
            "q2" => Some(ReportPeriod::Quarter(2)),
            "q3" => Some(ReportPeriod::Quarter(3)),
            "q4" => Some(ReportPeriod::Quarter(4)),
            "h1" => Some(ReportPeriod::Half),
            "year" => Some(ReportPeriod::Year),
            _ => None,
        }
    }

    /// The first and last day of the period in `year`.
    pub fn span(self, year: i16) -> Result<(Date, Date), AppError> {
        let (from, to) = match self {
            ReportPeriod::Quarter(q) => ((q - 1) * 3 + 1, q * 3),
            ReportPeriod::Half => (1, 6),
            ReportPeriod::Year => (1, 12),
        };
        let bad = || AppError::Invalid(vec![FieldProblem::new("year", Invalid::OutOfRange)]);
        let first = Date::new(year, from as i8, 1).map_err(|_| bad())?;
        let last = Date::new(year, to as i8, 1).map_err(|_| bad())?.last_of_month();
        Ok((first, last))
    }

    /// As the report's title says it: "quý II năm 2024", "6 tháng đầu năm 2024", "năm 2024".
    pub fn label(self, year: i16) -> String {
        match self {
            ReportPeriod::Quarter(q) => format!("quý {} năm {year}", ["I", "II", "III", "IV"][usize::from(q.clamp(1, 4) - 1)]),
            ReportPeriod::Half => format!("6 tháng đầu năm {year}"),
            ReportPeriod::Year => format!("năm {year}"),
        }
    }
}

fn points(total: thidua_core::scoring::Frac) -> String {
    format_decimal(total.num as f64 / total.den.max(1) as f64, Lang::Vi)
}

/// A dossier's state as the package writes it.
fn state_label(s: DossierState) -> &'static str {
    match s {
        DossierState::Draft => "Đang soạn",
        DossierState::Submitted => "Đã trình",
        DossierState::Reviewed => "Đã thẩm định",
        DossierState::Voted => "Đã bỏ phiếu",
        DossierState::Decided => "Đã có quyết định",
        DossierState::Returned => "Bị trả lại",
        DossierState::Withdrawn => "Đã rút",
    }
}

impl App {
    /// The cluster's report for a period, written by its leading unit of that year.
    pub async fn cluster_report_docx(&self, p: &Principal, cluster: ClusterId, year: i16, period: ReportPeriod) -> Result<Vec<u8>, AppError> {
        let c = self.cluster_for(p, Action::ViewCluster, cluster).await?;
        let (from, to) = period.span(year)?;
        let membership = self.store.cluster_year(cluster, year).await?;
        let leader = membership.leader();
        let names = self.org_names(&leader.into_iter().chain([c.owner]).collect()).await?;
        let leader_name = leader.and_then(|l| names.get(&l).cloned()).unwrap_or_else(|| c.name.clone());
        let mut body = vec![format!(
            "Thực hiện Quy chế hoạt động của {}, {} (đơn vị Cụm trưởng) báo cáo kết quả hoạt động {} như sau:",
            c.name,
            leader_name,
            period.label(year)
        )];

        // I. Meetings, their topics and the documents disseminated.
        let meetings: Vec<_> = self.meetings(p, cluster, Some(year)).await?.into_iter().filter(|m| (from..=to).contains(&m.held_on)).rev().collect();
        body.push("I. HỘI NGHỊ, SINH HOẠT CỤM".into());
        if meetings.is_empty() {
            body.push("Trong kỳ, Cụm chưa tổ chức hội nghị.".into());
        } else {
            body.push(format!("Trong kỳ, Cụm tổ chức {} hội nghị:", meetings.len()));
        }
        for (i, m) in meetings.iter().enumerate() {
            let detail = self.meeting_detail(p, m.id).await?;
            body.push(format!("{}. Ngày {}, tại {}: {}.", i + 1, format_date(m.held_on), m.place, m.title));
            if !detail.topics.is_empty() {
                body.push(format!("Chuyên đề: {}.", detail.topics.iter().map(|(t, by)| match by {
                    Some(by) => format!("{} ({by})", t.title),
                    None => t.title.clone(),
                }).collect::<Vec<_>>().join("; ")));
            }
            if !detail.documents.is_empty() {
                body.push(format!(
                    "Văn bản được quán triệt: {}.",
                    detail.documents.iter().map(|d| format!("{} ({})", d.document.symbol.clone().unwrap_or_default(), d.document.summary)).collect::<Vec<_>>().join("; ")
                ));
            }
        }

        // II. Key tasks adopted in the period.
        let tasks = self.key_tasks(p, cluster, year).await?;
        let in_period: BTreeSet<i64> = meetings.iter().map(|m| m.id).collect();
        let tasks: Vec<_> = tasks.tasks.into_iter().filter(|t| in_period.contains(&t.task.meeting)).collect();
        body.push("II. NHIỆM VỤ TRỌNG TÂM".into());
        let done = tasks.iter().filter(|t| t.task.status == TaskStatus::Done).count();
        let overdue = tasks.iter().filter(|t| t.overdue).count();
        body.push(format!("Tổng số {} nhiệm vụ: {done} đã hoàn thành, {} đang thực hiện, trong đó {overdue} quá hạn.", tasks.len(), tasks.len() - done));
        for t in &tasks {
            let status = match t.task.status {
                TaskStatus::Done => format!("đã hoàn thành{}", t.task.done_on.map(|d| format!(" ngày {}", format_date(d))).unwrap_or_default()),
                _ if t.overdue => format!("quá hạn (hạn {})", t.task.deadline.map(format_date).unwrap_or_default()),
                _ => "đang thực hiện".into(),
            };
            body.push(format!("- {}{}: {status}.", t.task.title, t.owner_name.as_deref().map(|o| format!(" ({o})")).unwrap_or_default()));
        }

        // III. Scores and ranking: the year's report, once the year's round is closed.
        body.push("III. CHẤM ĐIỂM, XẾP HẠNG THI ĐUA".into());
        let mut ranked = false;
        if period == ReportPeriod::Year {
            for campaign in self.campaigns(p, cluster).await?.into_iter().filter(|c| c.year == year) {
                let Some(round) = self.round_of_campaign(p, campaign.id).await? else { continue };
                let view = self.round_view(p, round.id).await?;
                if let (true, Some(ranking)) = (view.round.closed, view.ranking) {
                    ranked = true;
                    body.push(format!("Kết quả chấm điểm phong trào “{}”:", campaign.title));
                    for r in ranking {
                        body.push(format!("{}. {}: {} điểm.", r.rank, r.name, points(r.result.total)));
                    }
                }
            }
        }
        if !ranked {
            body.push("Chưa có kết quả chấm điểm trong kỳ.".into());
        }

        // IV. Proposals: what the cluster's votes in the period adopted.
        body.push("IV. ĐỀ XUẤT, KIẾN NGHỊ".into());
        let mut proposed = false;
        for poll in self.polls(p, cluster).await?.into_iter().filter(|x| (from..=to).contains(&x.held_on)) {
            let Ok(record) = self.vote_record(p, poll.id).await else { continue };
            let adopted: Vec<String> = record.options.iter().zip(&record.tally.options).filter(|(_, r)| r.adopted).map(|(o, _)| o.label.clone()).collect();
            if !adopted.is_empty() {
                proposed = true;
                body.push(format!("- {} (ngày {}): đề nghị {}.", poll.title, format_date(poll.held_on), adopted.join("; ")));
            }
        }
        if !proposed {
            body.push("Không có.".into());
        }

        let code = match leader {
            Some(l) => self.store.register_code(l).await?.unwrap_or_else(|| "    ".into()),
            None => "    ".into(),
        };
        let doc = PartyDocument {
            superior: names.get(&c.owner).cloned().unwrap_or_default(),
            issuer: leader_name,
            number: format!("Số    -BC/{code}"),
            place_date: long_date(today()).replacen("ngày", "Ngày", 1),
            title: "BÁO CÁO".into(),
            summary: Some(format!("Kết quả hoạt động {} của {}", period.label(year), c.name)),
            body,
            signer_title: vec!["T/M CỤM TRƯỞNG".into()],
            signer_name: String::new(),
            recipients: vec![names.get(&c.owner).cloned().unwrap_or_default(), "Các đơn vị thành viên Cụm".into(), "Lưu".into()],
        };
        Ok(thidua_office::docx(&doc)?)
    }

    /// The list of a decision's awards (danh sách kèm theo quyết định), by title.
    pub async fn decision_list_docx(&self, p: &Principal, decision: i64) -> Result<Vec<u8>, AppError> {
        let (d, issuer, lines) = self.decision_view(p, decision).await?;
        // Titles and names in Vietnamese order (Đ after D).
        let mut awards: Vec<(&str, &str, i16)> = lines.iter().filter(|l| l.award.revocation.is_none()).map(|l| (l.title_name.as_str(), l.recipient.as_str(), l.award.year)).collect();
        awards.sort_by_cached_key(|(title, recipient, _)| (collation_key(title), collation_key(recipient)));
        let mut body = Vec::new();
        let mut n = 0;
        for group in awards.chunk_by(|a, b| a.0 == b.0) {
            body.push(format!("{} ({}):", group[0].0, group.len()));
            for (_, recipient, year) in group {
                n += 1;
                body.push(format!("{n}. {recipient} – năm {year}."));
            }
        }
        body.push(format!("Tổng số: {n}."));
        let doc = PartyDocument {
            superior: String::new(),
            issuer,
            number: String::new(),
            place_date: long_date(d.decided_on).replacen("ngày", "Ngày", 1),
            title: "DANH SÁCH".into(),
            summary: Some(format!("Khen thưởng kèm theo Quyết định số {}, {}", d.number_symbol, long_date(d.decided_on))),
            body,
            signer_title: Vec::new(),
            signer_name: d.signer.clone(),
            recipients: Vec::new(),
        };
        Ok(thidua_office::docx(&doc)?)
    }

    /// An organization's year in one workbook: members' and organizations' levels, awards,
    /// dossiers and a summary. The export is audited: it lists members.
    pub async fn year_end_package(&self, p: &Principal, org: OrgId, year: i16) -> Result<Vec<u8>, AppError> {
        self.require_org(p, Action::ViewMember, org, today()).await?;
        if !(1930..=today().year()).contains(&year) {
            return Err(AppError::Invalid(vec![FieldProblem::new("year", Invalid::OutOfRange)]));
        }
        let subtree = self.with_predecessors(&self.subtree(org, today()).await?).await?;
        let org_name = self.org_names(&[org].into_iter().collect()).await?.remove(&org).unwrap_or_default();
        let title = format!("{org_name} – năm {year}");
        let headers = |h: &[&str]| h.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>();
        // The summary comes first but is filled last, from the counts of the sheets after it.
        let mut book = thidua_office::Book::new();
        let summary = book.sheet("Tổng hợp", Some(&title), &headers(&["Chỉ tiêu", "Số lượng"]), &[40.0, 12.0], false)?;
        // Past a hundred organizations the members may outgrow what a sheet keeps in memory.
        let many = subtree.len() > 100;
        let members = book.sheet("Xếp loại đảng viên", Some(&title), &headers(&["Họ và tên", "Chi bộ", "Xếp loại"]), &[30.0, 40.0, 12.0], many)?;
        let orgs = book.sheet("Xếp loại tổ chức", Some(&title), &headers(&["Tổ chức, tập thể", "Loại", "Xếp loại"]), &[40.0, 20.0, 12.0], many)?;
        let level = |l: Option<thidua_core::evaluation::Level>| l.map_or(Cell::Empty, |l| Cell::Text(l.abbreviation().into()));
        // Leaders are evaluated as leaders too: the member sheet lists each member once. A
        // province's results run to hundreds of thousands: they are read a few hundred
        // organizations at a time and written as they come.
        let mut counts: BTreeMap<&'static str, i64> = BTreeMap::new();
        let mut listed = 0;
        for chunk in subtree.chunks(500) {
            let results = self.store.year_results(chunk, year).await?;
            let named: BTreeSet<OrgId> = results.iter().flat_map(|r| [Some(r.cell), r.org]).flatten().collect();
            let names = self.org_names(&named).await?;
            for r in results {
                if r.kind == SubjectKind::Member.code() {
                    if let Some(l) = r.level {
                        *counts.entry(l.abbreviation()).or_default() += 1;
                    }
                    listed += 1;
                    book.row(members, &[Cell::Text(r.member_name.unwrap_or_default()), Cell::Text(names.get(&r.cell).cloned().unwrap_or_default()), level(r.level)])?;
                } else if r.member_name.is_none()
                    && let Some(o) = r.org
                {
                    let kind = SubjectKind::from_code(&r.kind).map_or(r.kind, |k| kind_label(k).to_owned());
                    book.row(orgs, &[Cell::Text(names.get(&o).cloned().unwrap_or_default()), Cell::Text(kind), level(r.level)])?;
                }
            }
        }
        // Commendation is shown to those who may see it; another failure is a failure.
        fn allowed<T>(r: Result<Vec<T>, AppError>) -> Result<Vec<T>, AppError> {
            match r {
                Err(AppError::Forbidden) => Ok(Vec::new()),
                other => other,
            }
        }
        let awards = allowed(self.registry(p, &crate::commendation::RegistryFilter { org: Some(org), predecessors: true, from_year: Some(year), to_year: Some(year), ..Default::default() }).await)?;
        let awards: Vec<_> = awards.into_iter().filter(|a| a.award.revocation.is_none()).collect();
        let dossiers: Vec<_> = allowed(self.dossiers(p, Some(year)).await)?.into_iter().filter(|(d, _, _)| subtree.contains(&d.proposer)).collect();
        let sheet = book.sheet("Khen thưởng", Some(&title), &headers(&["Danh hiệu, hình thức", "Tập thể, cá nhân", "Số quyết định", "Ngày quyết định"]), &[40.0, 36.0, 20.0, 14.0], awards.len() > IN_MEMORY_ROWS)?;
        for a in &awards {
            let d = a.award.decision.decided_on;
            book.row(sheet, &[Cell::Text(a.title_name.clone()), Cell::Text(a.recipient.clone()), Cell::Text(a.award.decision.number_symbol.clone()), Cell::Date(d.year(), d.month(), d.day())])?;
        }
        let sheet = book.sheet("Hồ sơ đề nghị", Some(&title), &headers(&["Danh hiệu, hình thức", "Tập thể, cá nhân", "Trạng thái"]), &[40.0, 36.0, 16.0], dossiers.len() > IN_MEMORY_ROWS)?;
        for (d, name, title) in &dossiers {
            book.row(sheet, &[Cell::Text(title.clone()), Cell::Text(name.clone()), Cell::Text(state_label(d.state).into())])?;
        }
        for (label, n) in [
            ("Số đảng viên được xếp loại", listed),
            ("Hoàn thành xuất sắc nhiệm vụ", counts.get("HTXSNV").copied().unwrap_or(0)),
            ("Hoàn thành tốt nhiệm vụ", counts.get("HTTNV").copied().unwrap_or(0)),
            ("Hoàn thành nhiệm vụ", counts.get("HTNV").copied().unwrap_or(0)),
            ("Không hoàn thành nhiệm vụ", counts.get("KHTNV").copied().unwrap_or(0)),
            ("Lượt khen thưởng", awards.len() as i64),
            ("Hồ sơ đề nghị khen thưởng", dossiers.len() as i64),
        ] {
            book.row(summary, &[Cell::Text(label.into()), Cell::Int(n)])?;
        }
        self.audit_export(p, &format!("org:{} year-end {year}", org.0), listed as usize).await?;
        Ok(book.finish()?)
    }
}
