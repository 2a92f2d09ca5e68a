// A separate process that appends to one Iceberg table through the catalog pointer, for the
// multi-process commit test: commit_worker CATALOG_URL NAMESPACE TABLE WORKER COMMITS.
// Prints one line per landed commit ("landed <worker> <i> <snapshot id>"); exits 1 with the
// error on the first commit that fails.
#include <cstdio>
#include <string>

#include "tarn/catalog/catalog_store.h"
#include "tarn/catalog/table_pointer.h"
#include "tarn/iceberg/table.h"

int main(int argc, char** argv) {
  using namespace tarn;
  if (argc != 6) {
    std::fprintf(stderr, "usage: commit_worker URL NS TABLE WORKER COMMITS\n");
    return 2;
  }
  std::string ns = argv[2], name = argv[3], worker = argv[4];
  int commits = std::stoi(argv[5]);
  auto store = catalog::CatalogStore::Open(argv[1], 2);
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", store.status().ToString().c_str());
    return 1;
  }
  auto table = iceberg::Table::Load(catalog::MakeTablePointer(**store, ns, name),
                                    iceberg::MakeLocalFileIO());
  if (!table.ok()) {
    std::fprintf(stderr, "%s\n", table.status().ToString().c_str());
    return 1;
  }
  for (int i = 0; i < commits; ++i) {
    iceberg::DataFile f;
    f.file_path = (*table)->metadata().location + "/data/w" + worker + "-" + std::to_string(i) +
                  ".parquet";
    f.record_count = 1;
    f.file_size_in_bytes = 100;
    auto id = (*table)->Append({f}, {{"tarn.writer", worker}});
    if (!id.ok()) {
      std::fprintf(stderr, "worker %s commit %d: %s\n", worker.c_str(), i,
                   id.status().ToString().c_str());
      return 1;
    }
    std::printf("landed %s %d %lld\n", worker.c_str(), i, static_cast<long long>(*id));
    std::fflush(stdout);
  }
  return 0;
}
