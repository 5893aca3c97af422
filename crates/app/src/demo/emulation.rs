//! The seeds' cluster meetings as they happened in 2023: Cụm 7's third-quarter briefing at Mũi Né
//! with its topic, four documents and twelve key tasks; Cụm 1's covenant signing with its
//! first-quarter session on membership transfers; Cụm 2's six-month session on Chỉ thị 20-CT/TU;
//! Cụm 6's seminar. People are not named: guests and presenters appear by their office, since
//! the demo invents no statements for real officials. Dates and places the articles leave out are
//! marked as illustrative in the meeting's agenda.

use thidua_core::audit::AuditRecord;
use thidua_core::emulation::{parse_criteria, CampaignKind, ClusterRules, CovenantEntry, MeetingKind, TaskStatus};
use thidua_core::scoring::{PeerMode, ScoringRules, Weights};
use thidua_core::org::OrgId;
use thidua_store::{AttendeeRow, CampaignRow, KeyTaskRow, MeetingRow, RegistrationRow, TopicRow};

use super::{day, World};
use crate::AppError;

/// The 2023 theme of the city's Party organization, as Cụm 7's report quotes it (seed 000).
const CITY_THEME_2023: &str = "Đẩy mạnh xây dựng, chỉnh đốn Đảng và hệ thống chính trị; tăng cường kỷ luật, kỷ cương, phát huy tính tiên phong, gương mẫu, tinh thần dũng cảm, năng động, sáng tạo, dám nghĩ, dám làm của cán bộ đảng viên";

/// An illustrative scoring table out of 1,000 points; the seeds name the scale, not the criteria.
pub(crate) const CRITERIA_2023: &str = "\
1 | Tham mưu công tác xây dựng tổ chức cơ sở đảng và đảng viên | 300
1.1 | Kiện toàn, hoàn thiện mô hình tổ chức cơ sở đảng | 150 | | báo cáo, văn bản
1.2 | Kết nạp đảng viên, quản lý và chuyển sinh hoạt đảng đúng thời hạn | 150 | | báo cáo
2 | Tham mưu công tác cán bộ và bảo vệ chính trị nội bộ | 300 | | báo cáo, văn bản
3 | Thực hiện chế độ thông tin, báo cáo đúng hạn, đúng nội dung | 200 | | báo cáo
4 | Tham gia hoạt động của Cụm: giao ban, sinh hoạt chuyên đề, nhiệm vụ trọng tâm | 200 | | biên bản
T | Sáng kiến, mô hình mới được cấp có thẩm quyền công nhận | 50 | thưởng | quyết định
Tr | Báo cáo chậm, sai sót phải điều chỉnh | 50 | trừ";

pub(crate) const TARGETS: [&str; 3] = [
    "100% tổ chức cơ sở đảng trực thuộc đạt Hoàn thành tốt nhiệm vụ trở lên",
    "Không có đảng viên vi phạm kỷ luật phải xử lý",
    "Hoàn thành đúng hạn 100% báo cáo định kỳ, chuyên đề về công tác tổ chức xây dựng Đảng",
];

/// A key task as adopted: title, owner board key, deadline, and where it stands.
type TaskSeed = (&'static str, &'static str, (i16, i8, i8), TaskStatus);

/// Cụm 7's twelve key tasks to year end; the article names their number, not their wording.
const CUM7_TASKS: [TaskSeed; 12] = [
    ("Tham mưu hoàn thiện mô hình tổ chức cơ sở đảng theo Công văn 969-CV/TU", "satra", (2023, 10, 31), TaskStatus::Done),
    ("Triển khai Quy định 1439-QĐ/TU về chức năng, nhiệm vụ, tổ chức bộ máy của Đảng ủy cấp trên cơ sở trong doanh nghiệp Nhà nước", "hfic", (2023, 11, 30), TaskStatus::Done),
    ("Quán triệt Quy định 114-QĐ/TW về kiểm soát quyền lực và phòng, chống tham nhũng, tiêu cực trong công tác cán bộ", "saigontourist", (2023, 10, 31), TaskStatus::Done),
    ("Quán triệt Quy định 117-QĐ/TW về xin lỗi và phục hồi quyền lợi của tổ chức Đảng, đảng viên bị kỷ luật oan", "benthanh", (2023, 10, 31), TaskStatus::Done),
    ("Xây dựng chương trình kiểm tra, giám sát công tác tổ chức xây dựng Đảng ở cơ sở quý IV", "samco", (2023, 10, 15), TaskStatus::Done),
    ("Rà soát, bổ sung quy hoạch cấp ủy nhiệm kỳ 2025–2030", "sawaco", (2023, 12, 15), TaskStatus::Done),
    ("Kết nạp đảng viên mới đạt chỉ tiêu năm 2023", "cns", (2023, 12, 31), TaskStatus::Done),
    ("Chuẩn bị kiểm điểm, đánh giá, xếp loại chất lượng tổ chức đảng, đảng viên năm 2023", "evnhcmc", (2023, 12, 31), TaskStatus::InProgress),
    ("Tập huấn nghiệp vụ công tác tổ chức xây dựng Đảng cho cán bộ cơ sở", "coop", (2023, 11, 30), TaskStatus::Done),
    ("Cập nhật dữ liệu đảng viên, chuyển sinh hoạt đảng đúng thời hạn", "resco", (2023, 12, 31), TaskStatus::Done),
    ("Tổ chức sinh hoạt chuyên đề quý IV của Cụm", "sapharco", (2023, 12, 15), TaskStatus::Done),
    ("Tổng kết phong trào thi đua năm 2023 của Cụm, đề xuất khen thưởng", "satra", (2024, 1, 31), TaskStatus::Open),
];

const ILLUSTRATIVE_DATE: &str = "(Ngày tổ chức là dữ liệu minh họa: bài viết nguồn không ghi ngày.)";

fn unit(o: OrgId) -> AttendeeRow {
    AttendeeRow { org: Some(o), name: None, position: None }
}

fn guest(name: &str) -> AttendeeRow {
    AttendeeRow { org: None, name: Some(name.into()), position: None }
}

/// Where a meeting was held: the locality of the place-and-date line, and the hall.
type Venue<'a> = (&'a str, &'a str);

fn meeting(w: &World<'_>, cluster: &str, kind: MeetingKind, on: jiff::civil::Date, (locality, place): Venue<'_>, host: Option<&str>, title: &str) -> Result<MeetingRow, AppError> {
    Ok(MeetingRow {
        id: 0,
        cluster: w.cluster_id(cluster)?,
        number: 0,
        kind,
        held_on: on,
        locality: locality.into(),
        place: place.into(),
        host: host.map(|h| w.id(h)).transpose()?,
        title: title.into(),
        agenda: String::new(),
        discussion: String::new(),
        conclusions: String::new(),
        created_by: "system".into(),
        version: 1,
    })
}

pub(super) async fn build(w: &mut World<'_>) -> Result<(), AppError> {
    let criteria = parse_criteria(CRITERIA_2023).map_err(AppError::Criteria)?;
    cum7(w, &criteria).await?;
    cum1(w, &criteria).await?;
    cum2(w).await?;
    cum6(w, &criteria).await?;
    let record = AuditRecord { actor: "system".into(), action: "demo.emulation".into(), resource: "system".into(), summary: "4 meetings, 3 campaigns, 12 key tasks, a scoring round and 2 ballots".into() };
    w.tx.audit(None, &record).await?;
    Ok(())
}

async fn campaign(w: &mut World<'_>, cluster: &str, criteria: &[thidua_core::emulation::Criterion], units: &[OrgId], titles: &[&str]) -> Result<i64, AppError> {
    let row = CampaignRow {
        id: 0,
        cluster: w.cluster_id(cluster)?,
        kind: CampaignKind::Regular,
        year: 2023,
        title: "Phong trào thi đua năm 2023".into(),
        theme: Some(CITY_THEME_2023.into()),
        starts_on: day(2023, 1, 1),
        ends_on: day(2023, 12, 31),
        launch_document: None,
        scale: 1000,
    };
    let id = w.tx.create_campaign(&row).await?;
    w.tx.replace_criteria(id, criteria).await?;
    for o in units {
        let r = RegistrationRow { org: *o, targets: TARGETS.iter().map(|t| t.to_string()).collect(), titles: titles.iter().map(|t| t.to_string()).collect() };
        w.tx.set_registration(id, &r).await?;
    }
    Ok(id)
}

async fn cum7(w: &mut World<'_>, criteria: &[thidua_core::emulation::Criterion]) -> Result<(), AppError> {
    let keys = ["satra", "saigontourist", "sawaco", "benthanh", "cns", "samco", "evnhcmc", "coop", "hfic", "resco", "sapharco"].map(|k| format!("btc_{k}"));
    let units = keys.iter().map(|k| w.id(k)).collect::<Result<Vec<_>, _>>()?;
    let cluster = w.cluster_id("cum7")?;
    let rules = ClusterRules { rotation: units.clone(), scale: 1000, leading_vote_threshold_pct: 50, max_proposals: Some(3), locality: Some("Thành phố Hồ Chí Minh".into()), ..ClusterRules::default() };
    w.tx.set_cluster_rules(cluster, &rules).await?;
    let campaign_id = campaign(w, "cum7", criteria, &units, &["Tập thể lao động xuất sắc"]).await?;
    // The covenant was signed early in the year; the articles do not report that meeting, so the
    // signatures stand without one.
    for o in &units {
        w.tx.set_covenant_entry(campaign_id, *o, &CovenantEntry::Signed { on: day(2023, 2, 24), signatory: "Trưởng Ban Tổ chức Đảng ủy".into() }, None).await?;
    }

    let mut m = meeting(
        w,
        "cum7",
        MeetingKind::QuarterlyBriefing,
        day(2023, 9, 22),
        ("Bình Thuận", "Hội trường Khu Du lịch Sài Gòn – Mũi Né"),
        Some("btc_satra"),
        "Hội nghị giao ban và sinh hoạt chuyên đề quý III năm 2023",
    )?;
    m.agenda = "Báo cáo kết quả phong trào thi đua quý III năm 2023 của 11 đơn vị trong Cụm (Ban Tổ chức Đảng ủy Satra trình bày).\n\
        Sinh hoạt chuyên đề quý III.\n\
        Triển khai 4 văn bản mới của Trung ương và Thành ủy (Ban Tổ chức Đảng ủy Satra trình bày).\n\
        Thảo luận, thông qua 12 nhiệm vụ trọng tâm từ nay đến cuối năm."
        .into();
    m.discussion = "Các đơn vị trao đổi kinh nghiệm về những khó khăn, vướng mắc trong tham mưu công tác tổ chức xây dựng Đảng tại từng doanh nghiệp trong giai đoạn hoàn thiện mô hình tổ chức của một số loại hình tổ chức cơ sở đảng.".into();
    m.conclusions = "Hội nghị thông qua 12 nhiệm vụ trọng tâm từ nay đến cuối năm của Cụm.\n\
        Ban Tổ chức Đảng ủy 11 đơn vị tiếp tục phát huy truyền thống đoàn kết, gắn bó, nỗ lực hoàn thành xuất sắc các nhiệm vụ trọng tâm, gắn với thực hiện chủ đề năm 2023 của Đảng bộ Thành phố."
        .into();
    let mut attendees = vec![
        guest("Đại diện Phòng Cán bộ, Ban Tổ chức Thành ủy"),
        guest("Đại diện Thường trực Đảng ủy Tổng Công ty Thương mại Sài Gòn"),
        guest("Đại diện lãnh đạo Tổng Công ty Địa ốc Sài Gòn"),
    ];
    attendees.extend(units.iter().map(|o| unit(*o)));
    let topics = [TopicRow { title: "Chương trình kiểm tra, giám sát công tác tổ chức xây dựng Đảng ở cơ sở".into(), presenter_org: Some(w.id("btc_samco")?), presenter: None }];
    let mut documents = Vec::new();
    for symbol in ["969-CV/TU", "1439-QĐ/TU", "114-QĐ/TW", "117-QĐ/TW"] {
        documents.push(*w.documents.get(&format!("du_satra:{symbol}")).ok_or(AppError::NotFound)?);
    }
    let (meeting_id, _) = w.tx.create_meeting(&m, &attendees, &topics, &documents).await?;

    let now = crate::auth::now_unix();
    for (title, owner, (y, mo, d), status) in CUM7_TASKS {
        let deadline = day(y, mo, d);
        let row = KeyTaskRow { id: 0, meeting: meeting_id, cluster, title: title.into(), owner: Some(w.id(&format!("btc_{owner}"))?), deadline: Some(deadline), status: TaskStatus::Open, done_on: None, version: 1 };
        let id = w.tx.add_key_task(&row).await?;
        if status != TaskStatus::Open {
            let done_on = (status == TaskStatus::Done).then_some(deadline);
            w.tx.set_task_status(id, 1, status, done_on).await?;
            let note = match status {
                TaskStatus::Done => "Đã hoàn thành, có báo cáo gửi Cụm trưởng.",
                _ => "Đang tổng hợp kết quả tự kiểm điểm của các chi bộ.",
            };
            w.tx.add_task_note(id, "cumtruong", note, now).await?;
        }
    }
    Ok(())
}

async fn cum1(w: &mut World<'_>, criteria: &[thidua_core::emulation::Criterion]) -> Result<(), AppError> {
    let keys = ["q1", "q3", "q5", "q10", "tanbinh", "thuduc"].map(|k| format!("btc_{k}"));
    let units = keys.iter().map(|k| w.id(k)).collect::<Result<Vec<_>, _>>()?;
    let cluster = w.cluster_id("cum1")?;
    let rules = ClusterRules { rotation: units.clone(), scale: 1000, leading_vote_threshold_pct: 50, max_proposals: Some(2), locality: Some("Thành phố Hồ Chí Minh".into()), ..ClusterRules::default() };
    w.tx.set_cluster_rules(cluster, &rules).await?;
    let campaign_id = campaign(w, "cum1", criteria, &units, &["Tập thể lao động xuất sắc"]).await?;

    let mut m = meeting(
        w,
        "cum1",
        MeetingKind::CovenantSigning,
        day(2023, 3, 10),
        ("Thành phố Hồ Chí Minh", "Hội trường Quận ủy Quận 1 (minh họa: bài viết nguồn không ghi địa điểm)"),
        Some("btc_q1"),
        "Hội nghị ký kết giao ước thi đua năm 2023 và sinh hoạt chuyên đề quý I/2023",
    )?;
    m.agenda = "Ký kết giao ước thi đua năm 2023 giữa Ban Tổ chức các quận 1, 3, 5, 10, Tân Bình và thành phố Thủ Đức.\nSinh hoạt chuyên đề quý I/2023.".into();
    m.discussion = "Các đơn vị trao đổi về công tác quản lý đảng viên, tiếp nhận và giới thiệu chuyển sinh hoạt đảng, những vướng mắc khi đảng viên chuyển đi mà không chuyển kèm hồ sơ, dữ liệu.".into();
    m.conclusions = "Các đơn vị thống nhất ký kết giao ước thi đua, thực hiện tốt vai trò tham mưu Ban Thường vụ, Thường trực cấp ủy các nội dung, chỉ tiêu, nhiệm vụ liên quan công tác tổ chức xây dựng Đảng.\n\
        Thay mặt Cụm, Ban Tổ chức Quận ủy Quận 1 kết luận chuyên đề, tổng hợp các giải pháp và kiến nghị với Thành phố về công tác quản lý đảng viên và tiếp nhận, giới thiệu chuyển sinh hoạt đảng."
        .into();
    let mut attendees = vec![guest("Đại diện Phòng Tổng hợp chính sách, Ban Tổ chức Thành ủy")];
    attendees.extend(units.iter().map(|o| unit(*o)));
    let topics = [TopicRow { title: "Công tác tiếp nhận giới thiệu chuyển sinh hoạt Đảng".into(), presenter_org: Some(w.id("btc_q1")?), presenter: None }];
    let (meeting_id, _) = w.tx.create_meeting(&m, &attendees, &topics, &[]).await?;
    for o in &units {
        w.tx.set_covenant_entry(campaign_id, *o, &CovenantEntry::Signed { on: day(2023, 3, 10), signatory: "Trưởng Ban Tổ chức".into() }, Some(meeting_id)).await?;
    }
    Ok(())
}

async fn cum2(w: &mut World<'_>) -> Result<(), AppError> {
    let keys = ["satra", "hfic", "samco", "resco", "cns", "saigontourist", "benthanh", "sapharco"].map(|k| format!("vp_{k}"));
    let units = keys.iter().map(|k| w.id(k)).collect::<Result<Vec<_>, _>>()?;
    let mut m = meeting(
        w,
        "cum2",
        MeetingKind::HalfYearBriefing,
        day(2023, 7, 14),
        ("Thành phố Hồ Chí Minh", "Văn phòng Thành ủy"),
        None,
        "Hội nghị giao ban 6 tháng đầu năm 2023 và sinh hoạt chuyên đề",
    )?;
    m.agenda = format!(
        "{ILLUSTRATIVE_DATE}\nĐánh giá hoạt động 6 tháng đầu năm 2023 của 08 Văn phòng cấp ủy trong Cụm.\nChia sẻ kinh nghiệm nâng cao công tác tham mưu tổng hợp của văn phòng cấp ủy.\nSinh hoạt chuyên đề về triển khai Chỉ thị 20-CT/TU và việc lập hồ sơ công việc."
    );
    m.discussion = "Thường trực Đảng ủy Satra và HFIC phát biểu về thực trạng hoạt động của Văn phòng cấp ủy khi giải quyết các sự vụ phát sinh thường xuyên.".into();
    m.conclusions = "Qua hơn 6 tháng thực hiện Chỉ thị 20-CT/TU, công tác văn thư lưu trữ của các cơ sở Đảng có chuyển biến tích cực; các đơn vị tiếp tục lập hồ sơ công việc và ứng dụng công nghệ thông tin vào văn thư lưu trữ.".into();
    let mut attendees = vec![
        guest("Đại diện Phòng Tổng hợp, Văn phòng Thành ủy"),
        guest("Đại diện Phòng Hành chính – Lưu trữ, Văn phòng Thành ủy"),
    ];
    attendees.extend(units.iter().map(|o| unit(*o)));
    let topics = [TopicRow {
        title: "Việc tổ chức triển khai Chỉ thị số 20-CT/TU ngày 29/12/2022 của Thành ủy về tăng cường công tác văn thư, lưu trữ và việc lập hồ sơ công việc tại Văn phòng cấp ủy".into(),
        presenter_org: None,
        presenter: None,
    }];
    let directive = *w.documents.get("tu:20-CT/TU").ok_or(AppError::NotFound)?;
    w.tx.create_meeting(&m, &attendees, &topics, &[directive]).await?;
    Ok(())
}

async fn cum6(w: &mut World<'_>, criteria: &[thidua_core::emulation::Criterion]) -> Result<(), AppError> {
    let keys = ["btc_dukdn", "btc_dukcq", "cuc_tccb_bca", "cuc_tochuc", "cuc_canbo"];
    let units = keys.iter().map(|k| w.id(k)).collect::<Result<Vec<_>, _>>()?;
    let mut m = meeting(
        w,
        "cum6",
        MeetingKind::Seminar,
        day(2023, 12, 20),
        ("Hà Nội", "Đảng ủy Khối Doanh nghiệp Trung ương"),
        Some("btc_dukdn"),
        "Tọa đàm Thúc đẩy thi đua trong các cơ quan tham mưu công tác tổ chức, cán bộ, góp phần thực hiện thắng lợi nghị quyết đại hội đảng bộ các cấp",
    )?;
    m.agenda = format!("{ILLUSTRATIVE_DATE}\nBáo cáo đề dẫn Tọa đàm của Cụm trưởng Cụm thi đua số 6 năm 2023.\nPhát biểu của lãnh đạo Đảng ủy Khối Doanh nghiệp Trung ương.\nÝ kiến tham luận của các đơn vị trong Cụm.");
    m.conclusions = "Các đơn vị trong Cụm tiếp tục phối hợp thực hiện nhiệm vụ được giao, hoàn thành tốt công tác tham mưu thi đua, khen thưởng; từ nay đến đại hội đảng bộ các cấp đẩy mạnh các phong trào thi đua.".into();
    let mut attendees = vec![guest("Đại diện lãnh đạo Đảng ủy Khối Doanh nghiệp Trung ương")];
    attendees.extend(units.iter().map(|o| unit(*o)));
    let topics = [TopicRow { title: "Thúc đẩy thi đua trong các cơ quan tham mưu công tác tổ chức, cán bộ".into(), presenter_org: Some(w.id("btc_dukdn")?), presenter: None }];
    w.tx.create_meeting(&m, &attendees, &topics, &[]).await?;
    let cluster = w.cluster_id("cum6")?;
    // Weights and peers as an illustration of a Quy chế that weighs all three sources.
    let scoring = ScoringRules { weights: Weights { self_pct: 20, peer_pct: 50, leader_pct: 30 }, peers: PeerMode::AllPeers };
    let rules = ClusterRules { rotation: units.clone(), scale: 1000, leading_vote_threshold_pct: 50, max_proposals: None, locality: Some("Hà Nội".into()), scoring, ..ClusterRules::default() };
    w.tx.set_cluster_rules(cluster, &rules).await?;
    // The units agree a theme and targets and sign a covenant each year (seed 003); the article
    // gives neither, so the campaign carries the demo's illustrative table and no covenant.
    let row = CampaignRow {
        id: 0,
        cluster,
        kind: CampaignKind::Regular,
        year: 2023,
        title: "Phong trào thi đua năm 2023 – Ngành Tổ chức xây dựng Đảng".into(),
        theme: None,
        starts_on: day(2023, 1, 1),
        ends_on: day(2023, 12, 31),
        launch_document: None,
        scale: 1000,
    };
    let campaign = w.tx.create_campaign(&row).await?;
    w.tx.replace_criteria(campaign, criteria).await?;
    super::year_end::cum6(w, campaign, &units, criteria, scoring, day(2023, 12, 20)).await
}
