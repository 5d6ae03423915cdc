#pragma once
// Every step of the model, grouped by the kernel routine it belongs to. routines.cpp arranges
// them into each variant's routines.

#include "model/step.hpp"

namespace dirtyrace::model::kernel {

// Writer: user-space stores and their page faults (fault.cpp).
extern const Step kStore;
extern const Step kFilemapFault, kUnlockBeforeMkwrite, kFinishFault, kFaultDirtySharedPage,
    kFaultUnlockPage, kDoWpPage, kFinishMkwriteFault;  // 2.6.30+ (page_mkwrite)
extern const Step kMkwriteLockPage, kMkwriteSetPageDirty, kWaitForStablePage;  // ->page_mkwrite
extern const Step kFilemapMkwriteLockPage, kFilemapMkwriteSetPageDirty,
    kFilemapWaitForStablePage;  // filemap_page_mkwrite (ext3, 3.6+)
extern const Step kFilemapNopage, kDoNoPage, kDoWpPageReuse, kSetPageDirtyBalance;  // 2.6.18-22
extern const Step kMkwriteUnlockPage, kDoFaultRelockPage, kDoFaultSetPte, kDoFaultUnlockPage,
    kDoWpPageMkwrite, kDoWpPageMkwriteReuse, kWaitOnPageLocked;  // 2.6.23-2.6.29

// Writeback (writeback.cpp).
extern const Step kMappingTagged, kTagPagesForWriteback, kFindGetPagesTag, kWbLockPage,
    kWbWaitOnPageWriteback, kWbUnlockPage;
extern const Step kPageMkcleanMapped, kPageMkcleanMappedIgnored, kPageMkclean, kPageMkcleanIgnored,
    kCleanSetPageDirty, kTestClearPageDirty;
extern const Step kLockBuffer, kTrylockBuffer, kSetPageWriteback, kSubmitBh, kWritepageUnlockPage,
    kEndPageWritebackNoIo;
extern const Step kFindGetWritebackPages, kWaitOnPageWriteback, kFilemapCheckErrors,
    kFileCheckAndAdvanceWbErr;
extern const Step kFsyncEntry, kMsyncEntry, kMsyncPteRange;

// munmap, reclaim, journal (unmap_reclaim.cpp, journal.cpp).
extern const Step kZapPteRange, kZapTlbFlushUnlock, kZapTlbFinishMmu, kTryToUnmapFlush;
extern const Step kIsolateLruPages, kTrylockPage, kTryToUnmap, kReclaimPageDirty, kPageoutSuccess,
    kTryToReleasePage, kDropBuffers, kFreeBuffersClearPageDirty;
extern const Step kJournalSubmitBuffer, kWriteDirtyBuffer;

// ext4 (ext4.cpp): delayed allocation, its writeback loop, writepage and bio submission.
extern const Step kExt4DaGetBlockPrep, kExt4TagPagesForWriteback, kExt4FindGetPagesTag,
    kExt4LockPage, kExt4WaitOnPageWriteback, kExt4MapBlocks, kExt4WritepageDelayed,
    kExt4BioWritePage, kExt4UnlockPage, kExt4EndPageWritebackNoIo, kExt4BioWriteFolio,
    kExt4FolioDone;

// mprotect(PROT_READ) (mprotect.cpp).
extern const Step kMprotectFixup, kChangePteRange, kFlushTlbRange;

// msync and munmap that fail their range checks or have nothing to do (range_checks.cpp).
extern const Step kMsyncEinval, kMsyncNothing, kMunmapEinval, kMunmapNothing;

// The device (io.cpp): not in any routine; the model offers them whenever a write is in flight.
extern const Step kDeviceCapture, kEndBufferAsyncWrite, kEndBufferAsyncWriteError,
    kEndBufferWriteSync, kExt4EndBio, kExt4EndBioError;

}  // namespace dirtyrace::model::kernel
