//! Ctrl-C, Ctrl-\ and Ctrl-Z reach the explorer as signals while it runs, not as bytes.
//!
//! crossterm's input reader, once it has read an unterminated bracketed paste (`ESC[200~`
//! without its `ESC[201~`), keeps reading the terminal for the rest of the paste in a blocking
//! `read` that retries when a signal interrupts it (crossterm-rs/crossterm#1060): no key
//! arrives, Ctrl-C included, and the event loop never runs again. A signal still does: after
//! raw mode the terminal's `ISIG` is turned back on, so the terminal driver turns Ctrl-C into
//! SIGINT and Ctrl-\ into SIGQUIT, and Ctrl-Z into SIGTSTP, which is ignored (a stopped
//! explorer would leave the terminal raw). On SIGINT or SIGQUIT the event loop is asked to quit
//! (a flag it reads at least every 200 ms); if it has not within half a second — it is held in
//! that read — this module restores the terminal and ends the process itself, with status 0 as
//! a quit by key.
//!
//! Owns: that termios flag, those signals and the forced exit. Must never: change any other
//! terminal setting, or fail the explorer when the terminal refuses (it then keeps crossterm's
//! keys).

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

/// Turn the interrupt keys back on; the flag is raised by SIGINT or SIGQUIT. `None` when the
/// signals could not be handled; when only the terminal refuses the flag, Ctrl-C stays a key.
#[cfg(unix)]
pub fn keep() -> Option<Arc<AtomicBool>> {
    use rustix::termios::{LocalModes, OptionalActions, tcgetattr, tcsetattr};
    use signal_hook::consts::{SIGINT, SIGQUIT, SIGTSTP};
    use std::io::IsTerminal;
    use std::sync::atomic::Ordering;
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGQUIT, SIGTSTP]).ok()?;
    let quit = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&quit);
    std::thread::spawn(move || {
        for sig in signals.forever() {
            if sig == SIGTSTP {
                continue;
            }
            flag.store(true, Ordering::Relaxed);
            // The event loop quits within 200 ms when it runs; when the process is still here
            // after 500 ms, the loop is held in crossterm's read.
            std::thread::sleep(std::time::Duration::from_millis(500));
            // Standard output is not used: the held loop may own its lock. The terminal is
            // written directly, as `ratatui::restore` would.
            if let Ok(mut tty) = std::fs::OpenOptions::new().write(true).open("/dev/tty") {
                let _ = ratatui::crossterm::execute!(
                    tty,
                    ratatui::crossterm::event::DisableMouseCapture,
                    ratatui::crossterm::terminal::LeaveAlternateScreen,
                    ratatui::crossterm::cursor::Show
                );
            }
            let _ = ratatui::crossterm::terminal::disable_raw_mode();
            std::process::exit(0);
        }
    });
    // The signals are handled either way (a `kill -INT` quits cleanly); the keys become
    // signals only when the terminal takes the flag: the one crossterm reads, standard input
    // when it is one, else /dev/tty.
    let set = |fd: &dyn std::os::fd::AsFd| -> Option<()> {
        let mut t = tcgetattr(fd.as_fd()).ok()?;
        t.local_modes.insert(LocalModes::ISIG);
        tcsetattr(fd.as_fd(), OptionalActions::Now, &t).ok()
    };
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        let _ = set(&stdin);
    } else if let Ok(tty) = std::fs::File::open("/dev/tty") {
        let _ = set(&tty);
    }
    Some(quit)
}

#[cfg(not(unix))]
pub fn keep() -> Option<Arc<AtomicBool>> {
    None
}
