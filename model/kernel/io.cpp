// The block device: a submitted write is captured (the device reads the buffer, io = mem) at
// some moment after submission, and completes later (disk = io) in end_buffer_async_write
// (page writeback: the last buffer of the page ends PG_writeback) or end_buffer_write_sync
// (a buffer-level flush). Both run per buffer, without the page lock, in fs/buffer.c; the
// buffer lock held until completion keeps two writes of one block from overlapping.
// The model offers these steps whenever a write is in flight (model.cpp); apply() is unused.

#include "model/kernel/steps.hpp"

namespace dirtyrace::model::kernel {

const Step kDeviceCapture{
    .name = "dma_read",
    .function = "submit_bh",
    .source = "block layer / device",
    .what = "the device reads the buffer: the write will carry the version in memory now"};

const Step kEndBufferAsyncWrite{
    .name = "end_buffer_async_write",
    .function = "end_buffer_async_write",
    .source = "fs/buffer.c; mm/filemap.c end_page_writeback",
    .what =
        "the write reached the disk: unlock the buffer; the page's last one ends its "
        "writeback (clear PG_writeback and tag WRITEBACK)"};

const Step kEndBufferAsyncWriteError{
    .name = "end_buffer_async_write(!uptodate)",
    .function = "end_buffer_async_write",
    .source = "fs/buffer.c; include/linux/pagemap.h mapping_set_error",
    .what =
        "the write failed (--io-errors): the disk keeps its old version; mapping_set_error "
        "records -EIO (AS_EIO and PG_error before 4.13, mapping->wb_err after); the page stays "
        "clean, and the buffer is unlocked and the page's writeback ended as on success"};

const Step kEndBufferWriteSync{.name = "end_buffer_write_sync",
                               .function = "end_buffer_write_sync",
                               .source = "fs/buffer.c",
                               .what = "the write reached the disk: unlock the buffer"};

}  // namespace dirtyrace::model::kernel
