//! The explorer (SPEC §5): an interactive terminal UI over the core. `zonescope` alone opens the
//! built-in demo; `zonescope explore FILE [--trace FLOW] [--present] [--flows LOG...]` opens a
//! file, with the flow logs' observed traffic when `--flows` is given.
//!
//! Layout of this module: [`app`] (state), [`action`] (what can happen), [`keymap`] (the one
//! key table), [`update`] (the only state transitions, no I/O), [`layout`] (geometry),
//! [`theme`] (colours, `NO_COLOR`), [`view`] (one renderer per pane), and here the event loop.
//!
//! Owns: the terminal (raw mode, alternate screen, mouse capture), the file watch and reading
//! the flow logs (at start and on each reload; `update` only receives the report). A reload runs
//! on a thread of its own while the screen says "reloading…" and keeps answering keys; so does
//! the design review of each topology shown (the findings pane says "reviewing…"), which
//! starts once the first frame is drawn. Must
//! never: leave the terminal broken (restored on quit, Ctrl-C and panic), or be imported by the
//! core (`topology`, `policy`, `trace`, `check`).

pub mod action;
pub mod app;
mod derive;
mod error;
mod interrupt;
pub mod keymap;
pub mod keys_file;
pub mod layout;
pub mod rows;
pub mod theme;
pub mod update;
pub mod view;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use ratatui::crossterm::event::{
    self, DisableMouseCapture, EnableMouseCapture, Event, KeyEventKind, MouseButton, MouseEventKind,
};
use ratatui::crossterm::execute;

use crate::engine::flows::{Options as FlowOptions, analyze_logs};
use crate::engine::trace::Query;
use crate::model::Topology;
use action::Action;
use app::{App, Effect, Origin};
pub use error::{Error, Options};
use theme::Theme;

/// `zonescope` with no arguments: the built-in demo.
pub fn run_demo() -> Result<u8, Error> {
    require_terminal()?;
    let mut app = App::demo(Theme::from_env());
    app.keymap = user_keys()?;
    run_app(app)
}

/// `zonescope explore FILE [--trace FLOW] [--present] [--flows LOG...]`.
pub fn run(a: &Options) -> Result<u8, Error> {
    require_terminal()?;
    eprintln!("zonescope: loading {} …", a.file.display());
    let t = crate::import::load_any(&a.file)?.0;
    let mut app = prepare(
        t,
        Origin::File(a.file.clone()),
        a.trace.as_deref(),
        a.present,
    )?;
    app.keymap = user_keys()?;
    if a.flows.iter().any(|p| p.as_os_str() == "-") {
        return Err(Error::usage(
            "--flows: the explorer cannot read a flow log from standard input (it is the terminal)",
            "give the log as a file (gzip is fine), or use `zonescope flows FILE -` in a pipe",
        ));
    }
    if !a.flows.is_empty() {
        eprintln!("zonescope: reading {} flow log(s) …", a.flows.len());
        app.flow_logs = a
            .flows
            .iter()
            .map(|p| p.to_string_lossy().into_owned())
            .collect();
        let r = flow_report(&app).map_err(|e| {
            Error::usage(
                format!("--flows: {e}"),
                "give AWS VPC flow log text or Azure NSG/VNet flow log JSON files (gzip is fine)",
            )
        })?;
        update::update(&mut app, Action::FlowsLoaded(Box::new(Ok(r))));
    }
    run_app(app)
}

/// The key bindings: the defaults with `keys.toml` from the config directory over them.
fn user_keys() -> Result<keys_file::Keymap, Error> {
    keys_file::Keymap::load_user().map_err(|e| {
        let help = e.help.clone();
        Error::usage(format!("key bindings: {e}"), help)
    })
}

/// The report of the App's flow logs against its topology (I/O: reads every log once).
pub fn flow_report(app: &App) -> Result<crate::engine::flows::FlowReport, String> {
    let opts = FlowOptions {
        jobs: 0,
        ..FlowOptions::default()
    };
    analyze_logs(&app.topo, &app.flow_logs, opts).map_err(|e| format!("cannot read {e}"))
}

/// An App ready to show: the flow of `--trace` traced, presentation mode when asked.
pub fn prepare(
    t: Topology,
    origin: Origin,
    flow: Option<&str>,
    present: bool,
) -> Result<App, Error> {
    let mut app = App::opening(t, origin, Theme::from_env());
    if let Some(flow) = flow {
        let q = Query::parse(flow).map_err(|e| {
            Error::usage(
                format!("--trace: {e}"),
                "write --trace \"SRC -> DST:PORT[/PROTO]\", e.g. --trace \"web -> aoai-eus:443\"",
            )
        })?;
        app.from = Some(q.from.clone());
        app.to = Some(q.to.clone());
        app.port = q.port;
        app.protocol = q.protocol;
        app.recompute();
        if let Some(Err(e)) = &app.trace {
            return Err(Error::usage(
                format!("--trace: {}", e.message),
                e.help.clone(),
            ));
        }
        app.reveal(&q.from);
        app.focus = app::Pane::Trace;
    }
    if present {
        update::update(&mut app, Action::Present);
    }
    Ok(app)
}

fn require_terminal() -> Result<(), Error> {
    if std::io::stdin().is_terminal() && std::io::stdout().is_terminal() {
        Ok(())
    } else {
        Err(Error::usage(
            "the explorer needs a terminal (standard input and output are not one)",
            "for scripts and pipes use `zonescope trace FILE --from SRC --to DST [--format json]`",
        ))
    }
}

fn mtime(origin: &Origin) -> Option<SystemTime> {
    match origin {
        Origin::File(p) => std::fs::metadata(p).and_then(|m| m.modified()).ok(),
        Origin::Demo => None,
    }
}

/// What a reload produced: the topology (or why not), and the flow report against it when
/// the explorer has `--flows` and the file loaded.
pub type Reloaded = (
    Result<Topology, crate::model::LoadError>,
    Option<Result<crate::engine::flows::FlowReport, String>>,
);

/// Reload the file and then read the flow logs `logs` again against it, on a thread of its own
/// (issue 16, item 8: a big design takes seconds to load and the screen must keep answering
/// keys meanwhile); the answer arrives on the returned channel.
pub fn reload_in_background(path: &Path, logs: &[String]) -> std::sync::mpsc::Receiver<Reloaded> {
    let (tx, rx) = std::sync::mpsc::channel();
    let path = path.to_path_buf();
    let logs = logs.to_vec();
    std::thread::spawn(move || {
        let r = crate::import::load_any(&path).map(|x| x.0);
        let flows = match &r {
            Ok(t) if !logs.is_empty() => {
                let opts = FlowOptions {
                    jobs: 0,
                    ..FlowOptions::default()
                };
                Some(analyze_logs(t, &logs, opts).map_err(|e| format!("cannot read {e}")))
            }
            _ => None,
        };
        // The explorer may have quit meanwhile: nobody to tell.
        let _ = tx.send((r, flows));
    });
    rx
}

/// The design review of `t` (`check`'s findings: a second or more on a large import), on a
/// thread of its own so that the explorer draws and answers keys meanwhile.
fn review_in_background(
    t: &Topology,
) -> std::sync::mpsc::Receiver<Vec<crate::engine::check::Finding>> {
    let (tx, rx) = std::sync::mpsc::channel();
    let t = t.clone();
    std::thread::spawn(move || {
        // The explorer may have quit or reloaded meanwhile: nobody to tell.
        let _ = tx.send(crate::engine::check::findings(&t));
    });
    rx
}

/// Take a reload's answer into the App.
fn apply_reloaded(app: &mut App, (r, flows): Reloaded) {
    update::update(app, Action::Loaded(Box::new(r)));
    if let Some(f) = flows {
        update::update(app, Action::FlowsLoaded(Box::new(f)));
    }
}

fn run_app(mut app: App) -> Result<u8, Error> {
    // Runs after ratatui's own hook (installed by `init`) has restored the screen.
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = execute!(std::io::stdout(), DisableMouseCapture);
        previous(info);
    }));
    let mut terminal = ratatui::init();
    let _ = execute!(std::io::stdout(), EnableMouseCapture);
    let interrupted = interrupt::keep();
    let result = event_loop(&mut terminal, &mut app, interrupted.as_deref());
    let _ = execute!(std::io::stdout(), DisableMouseCapture);
    ratatui::restore();
    result.map(|()| 0).map_err(Error::Io)
}

/// `interrupted`: raised by Ctrl-C or Ctrl-\ as signals (see `interrupt`), checked at least
/// every 200 ms.
fn event_loop(
    terminal: &mut ratatui::DefaultTerminal,
    app: &mut App,
    interrupted: Option<&std::sync::atomic::AtomicBool>,
) -> std::io::Result<()> {
    let path: Option<PathBuf> = match &app.origin {
        Origin::File(p) => Some(p.clone()),
        Origin::Demo => None,
    };
    let mut seen = mtime(&app.origin);
    let mut last_poll = Instant::now();
    let mut dirty = true;
    let mut reloading: Option<std::sync::mpsc::Receiver<Reloaded>> = None;
    // The design review under way: of which topology (`App::review_gen`), and its answer.
    type Findings = Vec<crate::engine::check::Finding>;
    let mut review: Option<(u64, std::sync::mpsc::Receiver<Findings>)> = None;
    let mut again = false;
    loop {
        if app.should_quit
            || interrupted.is_some_and(|f| f.load(std::sync::atomic::Ordering::Relaxed))
        {
            return Ok(());
        }
        let size = terminal.size()?;
        if (size.width, size.height) != app.size {
            update::update(app, Action::Resize(size.width, size.height));
            dirty = true;
        }
        if dirty {
            terminal.draw(|f| view::render(f, app))?;
            dirty = false;
        }
        // After the frame: the review of a new topology starts once it is on screen.
        if app.reviewing && review.as_ref().is_none_or(|(g, _)| *g != app.review_gen) {
            review = Some((app.review_gen, review_in_background(&app.topo)));
        }
        if let Some((g, rx)) = &review {
            match rx.try_recv() {
                Ok(findings) => {
                    let g = *g;
                    review = None;
                    update::update(app, Action::Reviewed(g, Box::new(findings)));
                    dirty = true;
                }
                Err(std::sync::mpsc::TryRecvError::Empty) => {}
                Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                    review = None;
                    app.reviewing = false;
                    app.status = Some(("the design review stopped".to_string(), true));
                    dirty = true;
                }
            }
        }
        if app.matrix_pending() {
            // Drawn as "computing" above; now compute and draw the result.
            app.settle();
            dirty = true;
            continue;
        }
        if event::poll(Duration::from_millis(200))? {
            let action = match event::read()? {
                Event::Key(k) if k.kind != KeyEventKind::Release => {
                    app.keymap.lookup(keymap::Ctx::of_app(app), k)
                }
                Event::Mouse(m) => match m.kind {
                    MouseEventKind::Down(MouseButton::Left) => Some(Action::Click(m.column, m.row)),
                    MouseEventKind::ScrollUp => Some(Action::ScrollUp(m.column, m.row)),
                    MouseEventKind::ScrollDown => Some(Action::ScrollDown(m.column, m.row)),
                    _ => None,
                },
                Event::Resize(w, h) => Some(Action::Resize(w, h)),
                _ => None,
            };
            if let Some(a) = action {
                update::update(app, a);
                dirty = true;
            }
        }
        let mut wanted = false;
        if app.effect == Some(Effect::Reload) {
            app.effect = None;
            wanted = true;
        }
        if last_poll.elapsed() >= Duration::from_secs(1) {
            last_poll = Instant::now();
            let now = mtime(&app.origin);
            if now.is_some() && now != seen {
                seen = now;
                wanted = true;
            }
        }
        if wanted && let Some(p) = &path {
            if reloading.is_none() {
                reloading = Some(reload_in_background(p, &app.flow_logs));
                app.status = Some(("reloading…".to_string(), false));
            } else {
                // Asked again while a reload runs: once more when it ends.
                again = true;
            }
            dirty = true;
        }
        if let Some(rx) = &reloading {
            match rx.try_recv() {
                Ok(done) => {
                    reloading = None;
                    apply_reloaded(app, done);
                    seen = mtime(&app.origin);
                    dirty = true;
                    if std::mem::take(&mut again) {
                        app.effect = Some(Effect::Reload);
                    }
                }
                Err(std::sync::mpsc::TryRecvError::Empty) => {}
                Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                    reloading = None;
                    app.status = Some(("reload failed: the reader stopped".to_string(), true));
                    dirty = true;
                }
            }
        }
    }
}
