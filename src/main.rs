fn main() {
    std::process::exit(rload::main_with_args(std::env::args_os().collect()));
}
