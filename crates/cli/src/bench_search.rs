//! Search benchmark: fills a database with generated document summaries and attachment texts,
//! then times queries against the index and against `grep -ri` over the same text in files.
//!
//!     cargo run --release --features bench --bin thidua-bench-search -- [--db URL] [--docs N] [--attachments N] [--keep DIR]
//!
//! The database must be empty (a fresh SQLite file is made when `--db` is absent), unless `--keep`
//! names the folder of an earlier run on it: the corpus is then queried again without loading.

use std::io::Write;
use std::time::{Duration, Instant};

use clap::Parser;
use thidua_app::auth::Principal;
use thidua_app::documents::SearchFilter;
use thidua_app::App;
use thidua_core::org::{NewOrg, OrgChange, OrgKind, OrgSpec};
use thidua_store::{AttachmentRow, Direction, DocumentRow, Store};

#[derive(Parser)]
struct Args {
    #[arg(long)]
    db: Option<String>,
    #[arg(long, default_value_t = 1_000_000)]
    docs: usize,
    #[arg(long, default_value_t = 50_000)]
    attachments: usize,
    #[arg(long, default_value_t = 100)]
    queries: usize,
    /// How many of the queries also run through grep (it is slow).
    #[arg(long, default_value_t = 5)]
    grep_queries: usize,
    /// Keep the text files (and a fresh SQLite database) in this folder; a second run with the
    /// same folder and database queries them again without loading.
    #[arg(long)]
    keep: Option<std::path::PathBuf>,
}

const WORDS: [&str; 60] = [
    "công tác", "tổ chức", "xây dựng", "Đảng", "đảng viên", "thi đua", "khen thưởng", "văn thư", "lưu trữ", "kế hoạch",
    "báo cáo", "sơ kết", "tổng kết", "nhiệm vụ", "trọng tâm", "cán bộ", "quy hoạch", "đào tạo", "bồi dưỡng", "luân chuyển",
    "kiểm tra", "giám sát", "kỷ luật", "chi bộ", "đảng bộ", "cơ sở", "cấp trên", "doanh nghiệp", "nhà nước", "thành phố",
    "phường", "xã", "huy hiệu", "chuyển sinh hoạt", "kết nạp", "đánh giá", "xếp loại", "chất lượng", "năm 2024", "năm 2025",
    "quý III", "6 tháng", "chỉ thị", "nghị quyết", "hướng dẫn", "quy định", "đề án", "thông báo", "kết luận", "hội nghị",
    "giao ban", "chuyên đề", "tọa đàm", "cụm thi đua", "giao ước", "chấm điểm", "bỏ phiếu", "tiêu chí", "chỉ tiêu", "phong trào",
];

struct Rng(u64);

impl Rng {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n
    }

    fn phrase(&mut self, words: usize) -> String {
        (0..words).map(|_| WORDS[self.next(WORDS.len())]).collect::<Vec<_>>().join(" ")
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// One document of the corpus: its summary and, one in `docs / attachments`, an attachment's text.
struct Generated {
    summary: String,
    attachment: Option<String>,
}

/// The corpus, the same for a seed: each call of `rng` follows the one before.
fn corpus(rng: &mut Rng, docs: usize, attachments: usize) -> impl Iterator<Item = Generated> + '_ {
    let attach_every = (docs / attachments.max(1)).max(1);
    let mut attached = 0;
    (0..docs).map(move |i| {
        let words = 6 + rng.next(6);
        let summary = format!("Về {}", rng.phrase(words));
        let attachment = (i % attach_every == 0 && attached < attachments).then(|| {
            attached += 1;
            (0..40).map(|_| rng.phrase(8)).collect::<Vec<_>>().join(". ")
        });
        Generated { summary, attachment }
    })
}

/// Writes the corpus into the empty database, in batches of 10,000 per transaction (many rows per
/// statement, as the generator writes a register), and the same text into files for grep.
async fn load(app: &App, store: &Store, url: &str, args: &Args, texts: &std::path::Path, rng: &mut Rng) -> Result<(), Box<dyn std::error::Error>> {
    let system = Principal::system();
    let org = app
        .record_org_event(&system, jiff::civil::date(2020, 1, 1), OrgChange::Create(NewOrg { org: (), spec: OrgSpec { kind: OrgKind::ProvincialCommittee, name: "Tỉnh ủy Đo lường".into(), short_name: None, parent: None } }), None)
        .await?
        .change
        .created()[0]
        .org;
    app.declare_register(&system, org, "TU").await?;
    let started = Instant::now();
    let files = 100;
    std::fs::create_dir_all(texts)?;
    let mut outs: Vec<std::io::BufWriter<std::fs::File>> =
        (0..files).map(|i| std::fs::File::create(texts.join(format!("text_{i:03}.txt"))).map(std::io::BufWriter::new)).collect::<Result<_, _>>()?;
    let mut docs = Vec::with_capacity(10_000);
    let mut attachments = Vec::new();
    let mut attached = 0;
    for (i, generated) in corpus(rng, args.docs, args.attachments).enumerate() {
        let id = i as i64 + 1;
        writeln!(outs[i % files], "{} {}", i % 9000 + 1, generated.summary)?;
        docs.push(DocumentRow {
            id,
            number: Some((i % 9000 + 1) as i64),
            issuer_code: Some("TU".into()),
            symbol: Some(format!("{}-CV/TU", i % 9000 + 1)),
            scope: Some(format!("arrival:{}", 2000 + i / 9000)),
            issued_on: Some(jiff::civil::date(2024, 1 + (i % 12) as i8, 1 + (i % 28) as i8)),
            issuer_name: Some("Ban Thường vụ".into()),
            arrival_number: Some(id),
            status: "filed".into(),
            ..DocumentRow::new(Direction::Incoming, org, "CV", &generated.summary, "bench")
        });
        if let Some(text) = generated.attachment {
            writeln!(outs[i % files], "{text}")?;
            let hash = format!("{:064x}", i);
            attachments.push(AttachmentRow { id: 0, document: id, hash, name: "t.txt".into(), content_type: "text/plain".into(), size: text.len() as i64, text });
            attached += 1;
        }
        if docs.len() == 10_000 || i + 1 == args.docs {
            let mut tx = store.begin().await?;
            tx.insert_documents(&docs, 0).await?;
            for a in &attachments {
                tx.put_blob(&thidua_store::BlobPlace::Database, &a.hash, b"").await?;
                tx.add_attachment(a).await?;
            }
            tx.commit().await?;
            docs.clear();
            attachments.clear();
            eprint!("\r{}/{} documents", i + 1, args.docs);
        }
    }
    let mut tx = store.begin().await?;
    tx.resume_ids(&["document"]).await?;
    tx.commit().await?;
    for mut o in outs {
        o.flush()?;
    }
    eprintln!();
    let load = started.elapsed();
    // As autovacuum would shortly after such a load. Without statistics PostgreSQL takes a common
    // word for a rare one and reads all its matches instead of the newest few; without a vacuum the
    // first queries also pay for marking a million fresh rows visible (hint bits) and wait on the
    // checkpoint the load started: 292 ms at p50 where the settled database answers in a few.
    if store.backend() == thidua_store::Backend::Postgres {
        let pool = sqlx::any::AnyPoolOptions::new().max_connections(1).connect(url).await?;
        sqlx::query("VACUUM (ANALYZE)").execute(&pool).await?;
        sqlx::query("CHECKPOINT").execute(&pool).await?;
        pool.close().await;
    }
    let (docs, indexed) = store.index_counts().await?;
    println!("backend: {}", store.backend().name());
    println!("loaded: {docs} documents ({attached} with attachment text), {indexed} index entries, in {:.1} s ({:.0} documents/s)", load.as_secs_f64(), docs as f64 / load.as_secs_f64());
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let work = args.keep.clone().unwrap_or_else(|| std::env::temp_dir().join(format!("thidua_bench_{}", std::process::id())));
    std::fs::create_dir_all(&work)?;
    let url = args.db.clone().unwrap_or_else(|| format!("sqlite://{}", work.join("bench.db").display()));
    let app = App::open(&url).await?;
    let store = Store::open(&url).await?;
    // The text files have a folder of their own: grep must not also read the SQLite database.
    let texts = work.join("text");
    let mut rng = Rng(42);
    let loaded = store.index_counts().await?.0 > 0;
    if loaded && (args.keep.is_none() || !texts.is_dir()) {
        return Err("the database already holds documents: give an empty one, or the --keep folder of the run that loaded it".into());
    }
    if loaded {
        // The queries follow the corpus in the generator's sequence.
        corpus(&mut rng, args.docs, args.attachments).for_each(drop);
        println!("backend: {}", store.backend().name());
        let (docs, indexed) = store.index_counts().await?;
        println!("the corpus of an earlier run: {docs} documents, {indexed} index entries");
    } else {
        load(&app, &store, &url, &args, &texts, &mut rng).await?;
    }
    let system = Principal::system();

    // Queries: two or three words, half typed without diacritics.
    let mut queries = Vec::new();
    for q in 0..args.queries {
        let n = 2 + rng.next(2);
        let words: Vec<&str> = (0..n).map(|_| WORDS[rng.next(WORDS.len())]).collect();
        let text = words.join(" ");
        queries.push(if q % 2 == 0 { thidua_core::vi::fold(&text) } else { text });
    }
    let mut times = Vec::new();
    let mut hits = 0;
    for q in &queries {
        let t = Instant::now();
        hits += app.search_documents(&system, q, SearchFilter::default(), 20).await?.len();
        times.push(t.elapsed());
    }
    times.sort();
    println!(
        "index: {} queries, p50 {}, p95 {}, max {} ({} results in all)",
        times.len(),
        ms(percentile(&times, 0.5)),
        ms(percentile(&times, 0.95)),
        ms(*times.last().unwrap_or(&Duration::ZERO)),
        hits
    );

    // The brute-force baseline: grep -ri for the first word of each query (grep cannot fold
    // diacritics, so it gets the easier task) over the same text in files.
    let mut grep_times = Vec::new();
    for q in queries.iter().filter(|q| !q.is_ascii()).take(args.grep_queries) {
        let word = q.split_whitespace().next().unwrap_or("Đảng");
        let t = Instant::now();
        let out = std::process::Command::new("grep").args(["-ri", "-c", word]).arg(&texts).output()?;
        grep_times.push(t.elapsed());
        let _ = out;
    }
    grep_times.sort();
    if !grep_times.is_empty() {
        let g50 = percentile(&grep_times, 0.5);
        println!("grep -ri: {} queries, p50 {} (the index is {:.2}× faster at p50)", grep_times.len(), ms(g50), g50.as_secs_f64() / percentile(&times, 0.5).as_secs_f64());
    }
    if args.keep.is_none() {
        let _ = std::fs::remove_dir_all(&work);
    }
    Ok(())
}
