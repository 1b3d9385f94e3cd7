#[doc(hidden)]
const _: () = {
    #[allow(unused_imports)]
    use ::cr_core::__private as __cr;
    #[allow(unused_imports)]
    use __cr::union::{ViewPromised as _, ViewRefused as _};
    #[automatically_derived]
    impl ::cr_core::Layout for PerWords {
        const NAME: &'static str = "PerWords";
        const FIELDS: &'static [::cr_core::FieldInfo] = &[
            __cr::path_row::<
                [u64; 3],
            >(
                "control_regs",
                "control_regs.words.cr",
                __cr::offset_of!(PerWords, control_regs),
                "[u64; 3]",
                __cr::Mode::Copy,
            ),
            __cr::path_row::<
                u16,
            >(
                "perc_atmid",
                "lowcore.words.perc_atmid",
                __cr::offset_of!(PerWords, perc_atmid),
                "u16",
                __cr::Mode::Copy,
            ),
            __cr::path_row::<
                u64,
            >(
                "address",
                "lowcore.words.address",
                __cr::offset_of!(PerWords, address),
                "u64",
                __cr::Mode::Copy,
            ),
            __cr::path_row::<
                u8,
            >(
                "access_id",
                "lowcore.words.access_id",
                __cr::offset_of!(PerWords, access_id),
                "u8",
                __cr::Mode::Copy,
            ),
        ];
        const FINGERPRINT: u64 = ::cr_core::layout::fingerprint(
            ::core::mem::size_of::<Self>(),
            __cr::fields_of::<Self>(),
        );
    }
    #[automatically_derived]
    impl ::cr_core::CrCopy<per_struct> for PerWords {
        #[inline]
        fn save(&mut self, src: &per_struct) {
            self.control_regs = __cr::Same::save(
                self.control_regs,
                __cr::union_of::<PerWords, _>(&src.control_regs)
                    .view()
                    .member(|__u| &raw const __u.words)
                    .cr,
            );
            self.perc_atmid = __cr::Same::save(
                self.perc_atmid,
                __cr::union_of::<PerWords, _>(&src.lowcore)
                    .view()
                    .member(|__u| &raw const __u.words)
                    .perc_atmid,
            );
            self.address = __cr::Same::save(
                self.address,
                __cr::union_of::<PerWords, _>(&src.lowcore)
                    .view()
                    .member(|__u| &raw const __u.words)
                    .address,
            );
            self.access_id = __cr::Same::save(
                self.access_id,
                __cr::union_of::<PerWords, _>(&src.lowcore)
                    .view()
                    .member(|__u| &raw const __u.words)
                    .access_id,
            );
        }
        #[inline]
        fn restore(
            &self,
            dst: &mut per_struct,
        ) -> ::core::result::Result<(), ::cr_core::Error> {
            __cr::restore(self, dst)
        }
    }
    #[automatically_derived]
    impl __cr::Phases<per_struct> for PerWords {
        #[inline(always)]
        fn check(
            &self,
            dst: &per_struct,
        ) -> ::core::result::Result<(), ::cr_core::Error> {
            ::core::result::Result::Ok(())
        }
        #[inline(always)]
        #[allow(trivial_casts, trivial_numeric_casts)]
        fn write(&self, dst: &mut per_struct) {
            dst.control_regs.words.cr = self.control_regs as _;
            dst.lowcore.words.perc_atmid = self.perc_atmid as _;
            dst.lowcore.words.address = self.address as _;
            dst.lowcore.words.access_id = self.access_id as _;
        }
    }
};
#[doc(hidden)]
const _: () = {
    #[allow(unused_imports)]
    use ::cr_core::__private as __cr;
    const _: () = {
        let _ = |t: &psw_t| {
            let psw_t { mask: _, addr: _ } = t;
        };
    };
    #[automatically_derived]
    impl ::cr_core::Layout for PswHeader {
        const NAME: &'static str = "PswHeader";
        const FIELDS: &'static [::cr_core::FieldInfo] = &[
            __cr::path_row::<
                u64,
            >(
                "mask",
                "mask",
                __cr::offset_of!(PswHeader, mask),
                "u64",
                __cr::Mode::Mask {
                    mask: (PSW_MASK_USER) as u64,
                },
            ),
            __cr::path_row::<
                u64,
            >(
                "addr",
                "addr",
                __cr::offset_of!(PswHeader, addr),
                "u64",
                __cr::Mode::Mask {
                    mask: (PSW_ADDR_INSN) as u64,
                },
            ),
        ];
        const FINGERPRINT: u64 = ::cr_core::layout::fingerprint(
            ::core::mem::size_of::<Self>(),
            __cr::fields_of::<Self>(),
        );
    }
    #[automatically_derived]
    impl ::cr_core::CrCopy<psw_t> for PswHeader {
        #[inline]
        fn save(&mut self, src: &psw_t) {
            self.mask = __cr::Same::save(self.mask, src.mask);
            self.addr = __cr::Same::save(self.addr, src.addr);
        }
        #[inline]
        fn restore(
            &self,
            dst: &mut psw_t,
        ) -> ::core::result::Result<(), ::cr_core::Error> {
            __cr::restore(self, dst)
        }
    }
    #[automatically_derived]
    impl __cr::Phases<psw_t> for PswHeader {
        #[inline(always)]
        fn check(&self, dst: &psw_t) -> ::core::result::Result<(), ::cr_core::Error> {
            let validate: fn(
                &Self,
                &psw_t,
            ) -> ::core::result::Result<(), ::cr_core::Error> = validate_psw;
            if let __cr::Err(__e) = validate(self, dst) {
                return __cr::Err(__cr::locate::<Self>(__e));
            }
            ::core::result::Result::Ok(())
        }
        #[inline(always)]
        #[allow(trivial_casts, trivial_numeric_casts)]
        fn write(&self, dst: &mut psw_t) {
            dst.mask = __cr::Same::restore_masked(self.mask, PSW_MASK_USER, dst.mask);
            dst.addr = __cr::Same::restore_masked(self.addr, PSW_ADDR_INSN, dst.addr);
        }
    }
};
#[doc(hidden)]
const _: () = {
    #[allow(unused_imports)]
    use ::cr_core::__private as __cr;
    #[allow(unused_imports)]
    use __cr::union::{ViewPromised as _, ViewRefused as _};
    const _: () = ::core::assert!(
        __cr::size_of_place:: < Task, _ > (| t | t.thread.fp_regs.fprs) ==
        ::core::mem::size_of:: < [u64; 16] > (),
        "cr: header field `fprs` ([u64; 16]) and live `thread.fp_regs.fprs` differ in size; `bits` reinterprets bytes, so the header field needs a type of exactly the live place's size"
    );
    const _: () = {
        let _ = |t: &Task| {
            let pt_regs { args: _, psw: _, gprs: _, orig_gpr2: _, ilc: _, svcnr: _ } = t
                .regs;
            let thread_struct {
                fp_regs: _,
                per_info: _,
                acrs: _,
                ksp: _,
                ieee_instruction_pointer: _,
                last_break: _,
            } = t.thread;
            let per_struct {
                _bitfield_1: _,
                lowcore: _,
                control_regs: _,
                starting_addr: _,
                ending_addr: _,
            } = t.thread.per_info;
        };
    };
    impl CrHdrCpu {
        /// Bit 0 of `em_instr`: set when `thread.per_info.single_step()` is true.
        pub const EM_INSTR_SINGLE_STEP: u8 = 1 << 0;
        /// Bit 1 of `em_instr`: set when `thread.per_info.instruction_fetch()` is true.
        pub const EM_INSTR_INSTRUCTION_FETCH: u8 = 1 << 1;
        /// Every flag bit of `em_instr` (bits 0, 1); restore rejects any other bit.
        pub const EM_INSTR_ALL: u8 = Self::EM_INSTR_SINGLE_STEP
            | Self::EM_INSTR_INSTRUCTION_FETCH;
    }
    #[automatically_derived]
    impl ::cr_core::Layout for CrHdrCpu {
        const NAME: &'static str = "CrHdrCpu";
        const FIELDS: &'static [::cr_core::FieldInfo] = &[
            __cr::path_row::<
                [u64; 1],
            >(
                "args",
                "regs.args",
                __cr::offset_of!(CrHdrCpu, args),
                "[u64; 1]",
                __cr::Mode::Copy,
            ),
            __cr::path_row::<
                PswHeader,
            >(
                "psw",
                "regs.psw",
                __cr::offset_of!(CrHdrCpu, psw),
                "PswHeader",
                __cr::Mode::Nested(
                    __cr::nest_ref::<Task, PswHeader, _>(|t| &t.regs.psw).layout,
                ),
            ),
            __cr::path_row::<
                [u64; 16],
            >(
                "gprs",
                "regs.gprs",
                __cr::offset_of!(CrHdrCpu, gprs),
                "[u64; 16]",
                __cr::Mode::Copy,
            ),
            __cr::path_row::<
                u64,
            >(
                "orig_gpr2",
                "regs.orig_gpr2",
                __cr::offset_of!(CrHdrCpu, orig_gpr2),
                "u64",
                __cr::Mode::Copy,
            ),
            __cr::path_row::<
                u32,
            >(
                "ilc",
                "regs.ilc",
                __cr::offset_of!(CrHdrCpu, ilc),
                "u32",
                __cr::Mode::Convert,
            ),
            __cr::path_row::<
                u32,
            >(
                "svcnr",
                "regs.svcnr",
                __cr::offset_of!(CrHdrCpu, svcnr),
                "u32",
                __cr::Mode::Convert,
            ),
            __cr::path_row::<
                u32,
            >(
                "fpc",
                "thread.fp_regs.fpc",
                __cr::offset_of!(CrHdrCpu, fpc),
                "u32",
                __cr::Mode::StrictMask {
                    mask: (FPC_VALID_MASK) as u64,
                },
            ),
            __cr::path_row::<
                u16,
            >(
                "per_atmid",
                "thread.per_info.lowcore.words.perc_atmid",
                __cr::offset_of!(CrHdrCpu, per_atmid),
                "u16",
                __cr::Mode::Copy,
            ),
            __cr::path_row::<
                u8,
            >(
                "per_access_id",
                "thread.per_info.lowcore.words.access_id",
                __cr::offset_of!(CrHdrCpu, per_access_id),
                "u8",
                __cr::Mode::Copy,
            ),
            __cr::row::<
                u8,
            >(
                "em_instr",
                __cr::offset_of!(CrHdrCpu, em_instr),
                "u8",
                __cr::Mode::Flags(
                    &[
                        __cr::FlagInfo {
                            name: "SINGLE_STEP",
                            bit: 0,
                            path: __cr::Some("thread.per_info.single_step()"),
                        },
                        __cr::FlagInfo {
                            name: "INSTRUCTION_FETCH",
                            bit: 1,
                            path: __cr::Some("thread.per_info.instruction_fetch()"),
                        },
                    ],
                ),
            ),
            __cr::path_row::<
                [u64; 16],
            >(
                "fprs",
                "thread.fp_regs.fprs",
                __cr::offset_of!(CrHdrCpu, fprs),
                "[u64; 16]",
                __cr::Mode::Bits,
            ),
            __cr::path_row::<
                [u32; 16],
            >(
                "acrs",
                "thread.acrs",
                __cr::offset_of!(CrHdrCpu, acrs),
                "[u32; 16]",
                __cr::Mode::Copy,
            ),
            __cr::path_row::<
                u64,
            >(
                "ksp",
                "thread.ksp",
                __cr::offset_of!(CrHdrCpu, ksp),
                "u64",
                __cr::Mode::SaveOnly,
            ),
            __cr::path_row::<
                u64,
            >(
                "ieee_instruction_pointer",
                "thread.ieee_instruction_pointer",
                __cr::offset_of!(CrHdrCpu, ieee_instruction_pointer),
                "u64",
                __cr::Mode::Copy,
            ),
            __cr::path_row::<
                [u64; 3],
            >(
                "per_control_regs",
                "thread.per_info.control_regs.words.cr",
                __cr::offset_of!(CrHdrCpu, per_control_regs),
                "[u64; 3]",
                __cr::Mode::Copy,
            ),
            __cr::path_row::<
                u64,
            >(
                "per_starting_addr",
                "thread.per_info.starting_addr",
                __cr::offset_of!(CrHdrCpu, per_starting_addr),
                "u64",
                __cr::Mode::Copy,
            ),
            __cr::path_row::<
                u64,
            >(
                "per_ending_addr",
                "thread.per_info.ending_addr",
                __cr::offset_of!(CrHdrCpu, per_ending_addr),
                "u64",
                __cr::Mode::Copy,
            ),
            __cr::path_row::<
                u64,
            >(
                "per_address",
                "thread.per_info.lowcore.words.address",
                __cr::offset_of!(CrHdrCpu, per_address),
                "u64",
                __cr::Mode::Copy,
            ),
            __cr::row::<
                u64,
            >(
                "reserved",
                __cr::offset_of!(CrHdrCpu, reserved),
                "u64",
                __cr::Mode::Reserved,
            ),
            __cr::path_row::<
                u64,
            >(
                "last_break",
                "thread.last_break",
                __cr::offset_of!(CrHdrCpu, last_break),
                "u64",
                __cr::Mode::Copy,
            ),
        ];
        const FINGERPRINT: u64 = ::cr_core::layout::fingerprint(
            ::core::mem::size_of::<Self>(),
            __cr::fields_of::<Self>(),
        );
    }
    const _: () = ::core::assert!(
        (CR_HDR_CPU) != ::cr_core::image::END,
        "cr: `CrHdrCpu` has record type 0, which is reserved for the image's end record; give it another number"
    );
    const _: () = __cr::check_chain(
        <CrHdrCpuV1 as ::cr_core::image::Record>::TYPE,
        <CrHdrCpuV1 as ::cr_core::image::Record>::VERSION,
        <CrHdrCpu as ::cr_core::image::Record>::TYPE,
        <CrHdrCpu as ::cr_core::image::Record>::VERSION,
        "CrHdrCpuV1",
    );
    const _: () = __cr::check_carried(
        <CrHdrCpuV1 as ::cr_core::Layout>::FIELDS,
        &<CrHdrCpu as ::cr_core::Layout>::FIELDS[0],
        "CrHdrCpu",
        "CrHdrCpuV1",
    );
    const _: () = __cr::check_carried(
        <CrHdrCpuV1 as ::cr_core::Layout>::FIELDS,
        &<CrHdrCpu as ::cr_core::Layout>::FIELDS[1],
        "CrHdrCpu",
        "CrHdrCpuV1",
    );
    const _: () = __cr::check_carried(
        <CrHdrCpuV1 as ::cr_core::Layout>::FIELDS,
        &<CrHdrCpu as ::cr_core::Layout>::FIELDS[2],
        "CrHdrCpu",
        "CrHdrCpuV1",
    );
    const _: () = __cr::check_carried(
        <CrHdrCpuV1 as ::cr_core::Layout>::FIELDS,
        &<CrHdrCpu as ::cr_core::Layout>::FIELDS[3],
        "CrHdrCpu",
        "CrHdrCpuV1",
    );
    const _: () = __cr::check_carried(
        <CrHdrCpuV1 as ::cr_core::Layout>::FIELDS,
        &<CrHdrCpu as ::cr_core::Layout>::FIELDS[4],
        "CrHdrCpu",
        "CrHdrCpuV1",
    );
    const _: () = __cr::check_carried(
        <CrHdrCpuV1 as ::cr_core::Layout>::FIELDS,
        &<CrHdrCpu as ::cr_core::Layout>::FIELDS[5],
        "CrHdrCpu",
        "CrHdrCpuV1",
    );
    const _: () = __cr::check_carried(
        <CrHdrCpuV1 as ::cr_core::Layout>::FIELDS,
        &<CrHdrCpu as ::cr_core::Layout>::FIELDS[6],
        "CrHdrCpu",
        "CrHdrCpuV1",
    );
    const _: () = __cr::check_carried(
        <CrHdrCpuV1 as ::cr_core::Layout>::FIELDS,
        &<CrHdrCpu as ::cr_core::Layout>::FIELDS[7],
        "CrHdrCpu",
        "CrHdrCpuV1",
    );
    const _: () = __cr::check_carried(
        <CrHdrCpuV1 as ::cr_core::Layout>::FIELDS,
        &<CrHdrCpu as ::cr_core::Layout>::FIELDS[8],
        "CrHdrCpu",
        "CrHdrCpuV1",
    );
    const _: () = __cr::check_carried(
        <CrHdrCpuV1 as ::cr_core::Layout>::FIELDS,
        &<CrHdrCpu as ::cr_core::Layout>::FIELDS[9],
        "CrHdrCpu",
        "CrHdrCpuV1",
    );
    const _: () = __cr::check_carried(
        <CrHdrCpuV1 as ::cr_core::Layout>::FIELDS,
        &<CrHdrCpu as ::cr_core::Layout>::FIELDS[10],
        "CrHdrCpu",
        "CrHdrCpuV1",
    );
    const _: () = __cr::check_carried(
        <CrHdrCpuV1 as ::cr_core::Layout>::FIELDS,
        &<CrHdrCpu as ::cr_core::Layout>::FIELDS[11],
        "CrHdrCpu",
        "CrHdrCpuV1",
    );
    const _: () = __cr::check_carried(
        <CrHdrCpuV1 as ::cr_core::Layout>::FIELDS,
        &<CrHdrCpu as ::cr_core::Layout>::FIELDS[12],
        "CrHdrCpu",
        "CrHdrCpuV1",
    );
    const _: () = __cr::check_carried(
        <CrHdrCpuV1 as ::cr_core::Layout>::FIELDS,
        &<CrHdrCpu as ::cr_core::Layout>::FIELDS[13],
        "CrHdrCpu",
        "CrHdrCpuV1",
    );
    const _: () = __cr::check_carried(
        <CrHdrCpuV1 as ::cr_core::Layout>::FIELDS,
        &<CrHdrCpu as ::cr_core::Layout>::FIELDS[14],
        "CrHdrCpu",
        "CrHdrCpuV1",
    );
    const _: () = __cr::check_carried(
        <CrHdrCpuV1 as ::cr_core::Layout>::FIELDS,
        &<CrHdrCpu as ::cr_core::Layout>::FIELDS[15],
        "CrHdrCpu",
        "CrHdrCpuV1",
    );
    const _: () = __cr::check_carried(
        <CrHdrCpuV1 as ::cr_core::Layout>::FIELDS,
        &<CrHdrCpu as ::cr_core::Layout>::FIELDS[16],
        "CrHdrCpu",
        "CrHdrCpuV1",
    );
    const _: () = __cr::check_carried(
        <CrHdrCpuV1 as ::cr_core::Layout>::FIELDS,
        &<CrHdrCpu as ::cr_core::Layout>::FIELDS[17],
        "CrHdrCpu",
        "CrHdrCpuV1",
    );
    const _: () = __cr::check_carried(
        <CrHdrCpuV1 as ::cr_core::Layout>::FIELDS,
        &<CrHdrCpu as ::cr_core::Layout>::FIELDS[18],
        "CrHdrCpu",
        "CrHdrCpuV1",
    );
    const _: () = __cr::check_new(
        <CrHdrCpuV1 as ::cr_core::Layout>::FIELDS,
        &<CrHdrCpu as ::cr_core::Layout>::FIELDS[19],
        "CrHdrCpu",
        "CrHdrCpuV1",
    );
    const _: () = __cr::check_dropped(
        <CrHdrCpuV1 as ::cr_core::Layout>::FIELDS,
        <CrHdrCpu as ::cr_core::Layout>::FIELDS,
        &[],
        "CrHdrCpu",
        "CrHdrCpuV1",
    );
    #[automatically_derived]
    impl ::cr_core::image::Record for CrHdrCpu {
        const TYPE: u32 = CR_HDR_CPU;
        const VERSION: u32 = 2;
        const OLDEST: u32 = <CrHdrCpuV1 as ::cr_core::image::Record>::OLDEST;
        fn layout_of(version: u32) -> ::core::option::Option<(u64, usize)> {
            if version == <Self as ::cr_core::image::Record>::VERSION {
                ::core::option::Option::Some((
                    __cr::fingerprint_of::<Self>(),
                    ::core::mem::size_of::<Self>(),
                ))
            } else {
                <CrHdrCpuV1 as ::cr_core::image::Record>::layout_of(version)
            }
        }
        fn decode(
            version: u32,
            payload: ::cr_core::image::Payload<'_>,
        ) -> ::core::result::Result<Self, ::cr_core::Error> {
            if version == <Self as ::cr_core::image::Record>::VERSION {
                return __cr::read_exact::<Self>(payload);
            }
            let prev = <CrHdrCpuV1 as ::cr_core::image::Record>::decode(
                version,
                payload,
            )?;
            __cr::upgrade::<CrHdrCpuV1, Self>(&prev, |_: &mut Self| {})
        }
    }
    const _: () = __cr::check_pin(
        <CrHdrCpu as ::cr_core::Layout>::FINGERPRINT,
        0xdf8957029347c09a,
        "CrHdrCpu",
    );
    #[automatically_derived]
    impl ::cr_core::CrCopy<Task> for CrHdrCpu {
        #[inline]
        fn save(&mut self, src: &Task) {
            self.args = __cr::Same::save(self.args, src.regs.args);
            __cr::nest_ref::<Task, PswHeader, _>(|t| &t.regs.psw)
                .save_ref(&mut self.psw, &src.regs.psw);
            self.gprs = __cr::Same::save(self.gprs, src.regs.gprs);
            self.orig_gpr2 = __cr::Same::save(self.orig_gpr2, src.regs.orig_gpr2);
            self.ilc = __cr::Widen::save(self.ilc, src.regs.ilc);
            self.svcnr = __cr::Widen::save(self.svcnr, src.regs.svcnr);
            self.fpc = __cr::Same::save(self.fpc, src.thread.fp_regs.fpc);
            self.per_atmid = __cr::Same::save(
                self.per_atmid,
                __cr::union_of::<CrHdrCpu, _>(&src.thread.per_info.lowcore)
                    .view()
                    .member(|__u| &raw const __u.words)
                    .perc_atmid,
            );
            self.per_access_id = __cr::Same::save(
                self.per_access_id,
                __cr::union_of::<CrHdrCpu, _>(&src.thread.per_info.lowcore)
                    .view()
                    .member(|__u| &raw const __u.words)
                    .access_id,
            );
            self.em_instr = __cr::Flag::save(
                src.thread.per_info.single_step(),
                Self::EM_INSTR_SINGLE_STEP,
            )
                | __cr::Flag::save(
                    src.thread.per_info.instruction_fetch(),
                    Self::EM_INSTR_INSTRUCTION_FETCH,
                );
            self.fprs = __cr::bits(src.thread.fp_regs.fprs);
            self.acrs = __cr::Same::save(self.acrs, src.thread.acrs);
            self.ksp = __cr::Same::save(self.ksp, src.thread.ksp);
            self.ieee_instruction_pointer = __cr::Same::save(
                self.ieee_instruction_pointer,
                src.thread.ieee_instruction_pointer,
            );
            self.per_control_regs = __cr::Same::save(
                self.per_control_regs,
                __cr::union_of::<CrHdrCpu, _>(&src.thread.per_info.control_regs)
                    .view()
                    .member(|__u| &raw const __u.words)
                    .cr,
            );
            self.per_starting_addr = __cr::Same::save(
                self.per_starting_addr,
                src.thread.per_info.starting_addr,
            );
            self.per_ending_addr = __cr::Same::save(
                self.per_ending_addr,
                src.thread.per_info.ending_addr,
            );
            self.per_address = __cr::Same::save(
                self.per_address,
                __cr::union_of::<CrHdrCpu, _>(&src.thread.per_info.lowcore)
                    .view()
                    .member(|__u| &raw const __u.words)
                    .address,
            );
            self.reserved = __cr::FromZeros::new_zeroed();
            self.last_break = __cr::Same::save(self.last_break, src.thread.last_break);
        }
        #[inline]
        fn restore(
            &self,
            dst: &mut Task,
        ) -> ::core::result::Result<(), ::cr_core::Error> {
            __cr::restore(self, dst)
        }
    }
    #[automatically_derived]
    impl __cr::Phases<Task> for CrHdrCpu {
        #[inline(always)]
        fn check(&self, dst: &Task) -> ::core::result::Result<(), ::cr_core::Error> {
            if let __cr::Err(__e) = __cr::nest_ref::<Task, PswHeader, _>(|t| &t.regs.psw)
                .check_ref(
                    &self.psw,
                    &dst.regs.psw,
                    const { &<Self as ::cr_core::Layout>::FIELDS[1] },
                    __cr::None,
                )
            {
                return __cr::Err(__e);
            }
            if let __cr::Err(__e) = __cr::narrow(
                self.ilc,
                dst.regs.ilc,
                "ilc",
                "regs.ilc",
            ) {
                return __cr::Err(__e);
            }
            if let __cr::Err(__e) = __cr::narrow(
                self.svcnr,
                dst.regs.svcnr,
                "svcnr",
                "regs.svcnr",
            ) {
                return __cr::Err(__e);
            }
            if let __cr::Err(__e) = __cr::check_mask(
                self.fpc,
                FPC_VALID_MASK,
                "fpc",
                "thread.fp_regs.fpc",
            ) {
                return __cr::Err(__e);
            }
            if let __cr::Err(__e) = __cr::check_flags(
                self.em_instr,
                Self::EM_INSTR_ALL,
                "em_instr",
            ) {
                return __cr::Err(__e);
            }
            if let __cr::Err(__e) = __cr::check_reserved(self.reserved, "reserved") {
                return __cr::Err(__e);
            }
            ::core::result::Result::Ok(())
        }
        #[inline(always)]
        #[allow(trivial_casts, trivial_numeric_casts)]
        fn write(&self, dst: &mut Task) {
            dst.regs.args = self.args as _;
            __cr::nest_ref::<Task, PswHeader, _>(|t| &t.regs.psw)
                .write_ref(&self.psw, &mut dst.regs.psw);
            dst.regs.gprs = self.gprs as _;
            dst.regs.orig_gpr2 = self.orig_gpr2 as _;
            dst.regs.ilc = __cr::narrowed(self.ilc, dst.regs.ilc);
            dst.regs.svcnr = __cr::narrowed(self.svcnr, dst.regs.svcnr);
            dst.thread.fp_regs.fpc = self.fpc as _;
            dst.thread.per_info.lowcore.words.perc_atmid = self.per_atmid as _;
            dst.thread.per_info.lowcore.words.access_id = self.per_access_id as _;
            dst.thread
                .per_info
                .set_single_step((self.em_instr & Self::EM_INSTR_SINGLE_STEP != 0) as _);
            dst.thread
                .per_info
                .set_instruction_fetch(
                    (self.em_instr & Self::EM_INSTR_INSTRUCTION_FETCH != 0) as _,
                );
            dst.thread.fp_regs.fprs = __cr::bits(self.fprs);
            dst.thread.acrs = self.acrs as _;
            dst.thread.ieee_instruction_pointer = self.ieee_instruction_pointer as _;
            dst.thread.per_info.control_regs.words.cr = self.per_control_regs as _;
            dst.thread.per_info.starting_addr = self.per_starting_addr as _;
            dst.thread.per_info.ending_addr = self.per_ending_addr as _;
            dst.thread.per_info.lowcore.words.address = self.per_address as _;
            dst.thread.last_break = self.last_break as _;
        }
        #[inline]
        fn after_restore(&self, dst: &mut Task) {
            __cr::nest_ref::<Task, PswHeader, _>(|t| &t.regs.psw)
                .after_ref(&self.psw, &mut dst.regs.psw);
            let after_restore: fn(&mut Task) = restore_access_regs;
            after_restore(dst);
        }
    }
};
#[doc(hidden)]
const _: () = {
    #[allow(unused_imports)]
    use ::cr_core::__private as __cr;
    impl CrHdrCpuV1 {
        /// Bit 0 of `em_instr`: the flag `SINGLE_STEP`.
        pub const EM_INSTR_SINGLE_STEP: u8 = 1 << 0;
        /// Bit 1 of `em_instr`: the flag `INSTRUCTION_FETCH`.
        pub const EM_INSTR_INSTRUCTION_FETCH: u8 = 1 << 1;
        /// Every flag bit of `em_instr` (bits 0, 1).
        pub const EM_INSTR_ALL: u8 = Self::EM_INSTR_SINGLE_STEP
            | Self::EM_INSTR_INSTRUCTION_FETCH;
    }
    #[automatically_derived]
    impl ::cr_core::Layout for CrHdrCpuV1 {
        const NAME: &'static str = "CrHdrCpuV1";
        const FIELDS: &'static [::cr_core::FieldInfo] = &[
            __cr::row::<
                [u64; 1],
            >("args", __cr::offset_of!(CrHdrCpuV1, args), "[u64; 1]", __cr::Mode::Data),
            __cr::row::<
                PswHeader,
            >(
                "psw",
                __cr::offset_of!(CrHdrCpuV1, psw),
                "PswHeader",
                __cr::Mode::Nested(<PswHeader as __cr::Frozen>::LAYOUT),
            ),
            __cr::row::<
                [u64; 16],
            >("gprs", __cr::offset_of!(CrHdrCpuV1, gprs), "[u64; 16]", __cr::Mode::Data),
            __cr::row::<
                u64,
            >(
                "orig_gpr2",
                __cr::offset_of!(CrHdrCpuV1, orig_gpr2),
                "u64",
                __cr::Mode::Data,
            ),
            __cr::row::<
                u32,
            >("ilc", __cr::offset_of!(CrHdrCpuV1, ilc), "u32", __cr::Mode::Data),
            __cr::row::<
                u32,
            >("svcnr", __cr::offset_of!(CrHdrCpuV1, svcnr), "u32", __cr::Mode::Data),
            __cr::row::<
                u32,
            >("fpc", __cr::offset_of!(CrHdrCpuV1, fpc), "u32", __cr::Mode::Data),
            __cr::row::<
                u16,
            >(
                "per_atmid",
                __cr::offset_of!(CrHdrCpuV1, per_atmid),
                "u16",
                __cr::Mode::Data,
            ),
            __cr::row::<
                u8,
            >(
                "per_access_id",
                __cr::offset_of!(CrHdrCpuV1, per_access_id),
                "u8",
                __cr::Mode::Data,
            ),
            __cr::row::<
                u8,
            >(
                "em_instr",
                __cr::offset_of!(CrHdrCpuV1, em_instr),
                "u8",
                __cr::Mode::Flags(
                    &[
                        __cr::FlagInfo {
                            name: "SINGLE_STEP",
                            bit: 0,
                            path: __cr::None,
                        },
                        __cr::FlagInfo {
                            name: "INSTRUCTION_FETCH",
                            bit: 1,
                            path: __cr::None,
                        },
                    ],
                ),
            ),
            __cr::row::<
                [u64; 16],
            >("fprs", __cr::offset_of!(CrHdrCpuV1, fprs), "[u64; 16]", __cr::Mode::Data),
            __cr::row::<
                [u32; 16],
            >("acrs", __cr::offset_of!(CrHdrCpuV1, acrs), "[u32; 16]", __cr::Mode::Data),
            __cr::row::<
                u64,
            >("ksp", __cr::offset_of!(CrHdrCpuV1, ksp), "u64", __cr::Mode::Data),
            __cr::row::<
                u64,
            >(
                "ieee_instruction_pointer",
                __cr::offset_of!(CrHdrCpuV1, ieee_instruction_pointer),
                "u64",
                __cr::Mode::Data,
            ),
            __cr::row::<
                [u64; 3],
            >(
                "per_control_regs",
                __cr::offset_of!(CrHdrCpuV1, per_control_regs),
                "[u64; 3]",
                __cr::Mode::Data,
            ),
            __cr::row::<
                u64,
            >(
                "per_starting_addr",
                __cr::offset_of!(CrHdrCpuV1, per_starting_addr),
                "u64",
                __cr::Mode::Data,
            ),
            __cr::row::<
                u64,
            >(
                "per_ending_addr",
                __cr::offset_of!(CrHdrCpuV1, per_ending_addr),
                "u64",
                __cr::Mode::Data,
            ),
            __cr::row::<
                u64,
            >(
                "per_address",
                __cr::offset_of!(CrHdrCpuV1, per_address),
                "u64",
                __cr::Mode::Data,
            ),
            __cr::row::<
                u64,
            >(
                "reserved",
                __cr::offset_of!(CrHdrCpuV1, reserved),
                "u64",
                __cr::Mode::Reserved,
            ),
        ];
        const FINGERPRINT: u64 = ::cr_core::layout::fingerprint(
            ::core::mem::size_of::<Self>(),
            __cr::fields_of::<Self>(),
        );
    }
    const _: () = ::core::assert!(
        (CR_HDR_CPU) != ::cr_core::image::END,
        "cr: `CrHdrCpuV1` has record type 0, which is reserved for the image's end record; give it another number"
    );
    #[automatically_derived]
    impl ::cr_core::image::Record for CrHdrCpuV1 {
        const TYPE: u32 = CR_HDR_CPU;
    }
    const _: () = __cr::check_pin(
        <CrHdrCpuV1 as ::cr_core::Layout>::FINGERPRINT,
        0x99dc1357e990653e,
        "CrHdrCpuV1",
    );
};
#[doc(hidden)]
const _: () = {
    #[allow(unused_imports)]
    use ::cr_core::__private as __cr;
    const _: () = {
        let _ = |t: &mm_context_t| {
            let mm_context_t {
                vdso_base: _,
                noexec: _,
                has_pgste: _,
                alloc_pgste: _,
                asce_bits: _,
                asce_limit: _,
            } = t;
        };
    };
    impl CrHdrMmContext {
        /// Bit 0 of `flags`: set when `noexec` is true.
        pub const FLAGS_NOEXEC: u32 = 1 << 0;
        /// Bit 1 of `flags`: set when `has_pgste` is true.
        pub const FLAGS_HAS_PGSTE: u32 = 1 << 1;
        /// Bit 2 of `flags`: set when `alloc_pgste` is true.
        pub const FLAGS_ALLOC_PGSTE: u32 = 1 << 2;
        /// Every flag bit of `flags` (bits 0, 1, 2); restore rejects any other bit.
        pub const FLAGS_ALL: u32 = Self::FLAGS_NOEXEC | Self::FLAGS_HAS_PGSTE
            | Self::FLAGS_ALLOC_PGSTE;
    }
    #[automatically_derived]
    impl ::cr_core::Layout for CrHdrMmContext {
        const NAME: &'static str = "CrHdrMmContext";
        const FIELDS: &'static [::cr_core::FieldInfo] = &[
            __cr::row::<
                u64,
            >(
                "vdso_base",
                __cr::offset_of!(CrHdrMmContext, vdso_base),
                "u64",
                __cr::Mode::Skip,
            ),
            __cr::row::<
                u32,
            >(
                "flags",
                __cr::offset_of!(CrHdrMmContext, flags),
                "u32",
                __cr::Mode::Flags(
                    &[
                        __cr::FlagInfo {
                            name: "NOEXEC",
                            bit: 0,
                            path: __cr::Some("noexec"),
                        },
                        __cr::FlagInfo {
                            name: "HAS_PGSTE",
                            bit: 1,
                            path: __cr::Some("has_pgste"),
                        },
                        __cr::FlagInfo {
                            name: "ALLOC_PGSTE",
                            bit: 2,
                            path: __cr::Some("alloc_pgste"),
                        },
                    ],
                ),
            ),
            __cr::row::<
                u32,
            >(
                "reserved",
                __cr::offset_of!(CrHdrMmContext, reserved),
                "u32",
                __cr::Mode::Reserved,
            ),
            __cr::path_row::<
                u64,
            >(
                "asce_bits",
                "asce_bits",
                __cr::offset_of!(CrHdrMmContext, asce_bits),
                "u64",
                __cr::Mode::Copy,
            ),
            __cr::path_row::<
                u64,
            >(
                "asce_limit",
                "asce_limit",
                __cr::offset_of!(CrHdrMmContext, asce_limit),
                "u64",
                __cr::Mode::Copy,
            ),
        ];
        const FINGERPRINT: u64 = ::cr_core::layout::fingerprint(
            ::core::mem::size_of::<Self>(),
            __cr::fields_of::<Self>(),
        );
    }
    const _: () = ::core::assert!(
        (CR_HDR_MM_CONTEXT) != ::cr_core::image::END,
        "cr: `CrHdrMmContext` has record type 0, which is reserved for the image's end record; give it another number"
    );
    #[automatically_derived]
    impl ::cr_core::image::Record for CrHdrMmContext {
        const TYPE: u32 = CR_HDR_MM_CONTEXT;
    }
    #[automatically_derived]
    impl ::cr_core::CrCopy<mm_context_t> for CrHdrMmContext {
        #[inline]
        fn save(&mut self, src: &mm_context_t) {
            self.vdso_base = ::core::default::Default::default();
            self.flags = __cr::Flag::save(src.noexec, Self::FLAGS_NOEXEC)
                | __cr::Flag::save(src.has_pgste, Self::FLAGS_HAS_PGSTE)
                | __cr::Flag::save(src.alloc_pgste, Self::FLAGS_ALLOC_PGSTE);
            self.reserved = __cr::FromZeros::new_zeroed();
            self.asce_bits = __cr::Same::save(self.asce_bits, src.asce_bits);
            self.asce_limit = __cr::Same::save(self.asce_limit, src.asce_limit);
        }
        #[inline]
        fn restore(
            &self,
            dst: &mut mm_context_t,
        ) -> ::core::result::Result<(), ::cr_core::Error> {
            __cr::restore(self, dst)
        }
    }
    #[automatically_derived]
    impl __cr::Phases<mm_context_t> for CrHdrMmContext {
        #[inline(always)]
        fn check(
            &self,
            dst: &mm_context_t,
        ) -> ::core::result::Result<(), ::cr_core::Error> {
            if let __cr::Err(__e) = __cr::check_flags(
                self.flags,
                Self::FLAGS_ALL,
                "flags",
            ) {
                return __cr::Err(__e);
            }
            if let __cr::Err(__e) = __cr::check_reserved(self.reserved, "reserved") {
                return __cr::Err(__e);
            }
            ::core::result::Result::Ok(())
        }
        #[inline(always)]
        #[allow(trivial_casts, trivial_numeric_casts)]
        fn write(&self, dst: &mut mm_context_t) {
            dst.noexec = (self.flags & Self::FLAGS_NOEXEC != 0) as _;
            dst.has_pgste = (self.flags & Self::FLAGS_HAS_PGSTE != 0) as _;
            dst.alloc_pgste = (self.flags & Self::FLAGS_ALLOC_PGSTE != 0) as _;
            dst.asce_bits = self.asce_bits as _;
            dst.asce_limit = self.asce_limit as _;
        }
    }
};
