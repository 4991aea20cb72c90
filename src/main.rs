//! The `somnia` command.

fn main() {
    // Matrix products of rate phases use every core unless the user chose otherwise. The
    // split is over output blocks, so results do not depend on the thread count.
    if std::env::var_os("MATMUL_NUM_THREADS").is_none() {
        let n = std::thread::available_parallelism().map_or(1, |n| n.get());
        // SAFETY: no other thread exists yet.
        unsafe { std::env::set_var("MATMUL_NUM_THREADS", n.to_string()) };
    }
    std::process::exit(somnia::cli::run());
}
