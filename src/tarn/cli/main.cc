#include "tarn/cli/cli.h"

int main(int argc, char** argv) { return tarn::cli::RunCli(argc, argv); }
