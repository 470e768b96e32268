// hnswlib on the same files as `bench index` (TEXMEX layout: base.fvecs, query.fvecs, groundtruth.ivecs), so that
// both are measured on one machine in one run. Built by scripts/hnswlib-reference.sh with hnswlib's own flags.
//
//   reference FOLDER N M EF_CONSTRUCTION INDEX_FILE < efs
//
// Builds the graph of the first N base vectors (inner product on the L2-normalised vectors: cosine) on every core
// and saves it to INDEX_FILE, or loads it from there, and prints {"build_seconds", "memory_bytes"}; then, for each
// ef read from standard input (one a line, as the caller asks for them, so that its own timings can alternate with
// these), searches the 10 nearest of every query on one thread and prints {"ef", "recall_at_10", "qps"}.
#include <hnswlib/hnswlib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

// Rows of a TEXMEX file: each a 4-byte dimension count, then that many 4-byte values (float for .fvecs, int for .ivecs).
template <typename T>
struct Rows {
    int dimensions = 0;
    int count = 0;
    std::vector<T> values;
    const T* row(int i) const { return values.data() + static_cast<size_t>(i) * dimensions; }
};

template <typename T>
Rows<T> read_vecs(const std::string& path) {
    std::ifstream file(path, std::ios::binary);
    Rows<T> rows;
    if (!file.read(reinterpret_cast<char*>(&rows.dimensions), sizeof(int)) || rows.dimensions <= 0) {
        throw std::runtime_error("cannot read " + path);
    }
    file.seekg(0, std::ios::end);
    const auto bytes = static_cast<size_t>(file.tellg());
    const size_t row_bytes = sizeof(int) + sizeof(T) * rows.dimensions;
    if (bytes % row_bytes != 0) throw std::runtime_error(path + " is not whole rows of " + std::to_string(rows.dimensions));
    rows.count = static_cast<int>(bytes / row_bytes);
    rows.values.resize(static_cast<size_t>(rows.count) * rows.dimensions);
    file.seekg(0);
    for (int i = 0; i < rows.count; i++) {
        int dimensions = 0;
        file.read(reinterpret_cast<char*>(&dimensions), sizeof(int));
        file.read(reinterpret_cast<char*>(rows.values.data() + static_cast<size_t>(i) * rows.dimensions), sizeof(T) * rows.dimensions);
        if (!file || dimensions != rows.dimensions) throw std::runtime_error(path + ": row " + std::to_string(i) + " is damaged");
    }
    return rows;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) try {
    if (argc < 6) {
        std::fprintf(stderr, "usage: reference FOLDER N M EF_CONSTRUCTION INDEX_FILE < efs\n");
        return 2;
    }
    const std::string folder = argv[1];
    const int n = std::atoi(argv[2]), m = std::atoi(argv[3]), ef_construction = std::atoi(argv[4]);
    const std::string index_file = argv[5];
    const auto base = read_vecs<float>(folder + "/base.fvecs");
    const auto queries = read_vecs<float>(folder + "/query.fvecs");
    const auto truth = read_vecs<int>(folder + "/groundtruth.ivecs");
    if (n > base.count) throw std::runtime_error("the base holds fewer vectors than asked for");
    if (queries.dimensions != base.dimensions || truth.count < queries.count || truth.dimensions < 10) {
        throw std::runtime_error("the queries or the ground truth do not match the base");
    }

    hnswlib::InnerProductSpace space(base.dimensions);
    double build_seconds = -1;
    std::unique_ptr<hnswlib::HierarchicalNSW<float>> index;
    if (std::ifstream(index_file).good()) {
        index = std::make_unique<hnswlib::HierarchicalNSW<float>>(&space, index_file);
    } else {
        index = std::make_unique<hnswlib::HierarchicalNSW<float>>(&space, n, m, ef_construction, 100);
        const auto start = std::chrono::steady_clock::now();
        index->addPoint(base.row(0), 0);
        std::atomic<int> next(1);
        std::vector<std::thread> threads;
        for (unsigned t = 0; t < std::max(1u, std::thread::hardware_concurrency()); t++) {
            threads.emplace_back([&] {
                for (int i; (i = next++) < n;) index->addPoint(base.row(i), i);
            });
        }
        for (auto& thread : threads) thread.join();
        build_seconds = seconds_since(start);
        // Written aside and renamed, so that a run killed meanwhile never leaves a partial graph to load.
        index->saveIndex(index_file + ".tmp");
        if (std::rename((index_file + ".tmp").c_str(), index_file.c_str()) != 0) throw std::runtime_error("cannot write " + index_file);
    }
    size_t memory = index->max_elements_ * index->size_data_per_element_;
    for (size_t i = 0; i < index->cur_element_count; i++) memory += index->element_levels_[i] * index->size_links_per_element_;
    std::printf("{\"build_seconds\":%.2f,\"memory_bytes\":%zu}\n", build_seconds, memory);
    std::fflush(stdout);

    std::vector<std::vector<hnswlib::labeltype>> found(queries.count);
    for (int ef; std::scanf("%d", &ef) == 1;) {
        index->setEf(ef);
        const auto start = std::chrono::steady_clock::now();
        for (int q = 0; q < queries.count; q++) {
            auto result = index->searchKnn(queries.row(q), 10);
            found[q].clear();
            for (; !result.empty(); result.pop()) found[q].push_back(result.top().second);
        }
        const double seconds = seconds_since(start);
        int hits = 0;
        for (int q = 0; q < queries.count; q++) {
            const int* expected = truth.row(q);
            for (auto label : found[q]) {
                for (int j = 0; j < 10; j++) {
                    if (expected[j] == static_cast<int>(label)) {
                        hits++;
                        break;
                    }
                }
            }
        }
        std::printf("{\"ef\":%d,\"recall_at_10\":%.4f,\"qps\":%.1f}\n", ef, hits / (10.0 * queries.count), queries.count / seconds);
        std::fflush(stdout);
    }
    return 0;
} catch (const std::exception& e) {
    std::fprintf(stderr, "reference: %s\n", e.what());
    return 1;
}
