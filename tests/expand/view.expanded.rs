#[doc(hidden)]
const _: () = {
    #[allow(unused_imports)]
    use ::cr_core::__private as __cr;
    impl PerHdr {
        /// Bit 0 of `trace`: set when `thread.per_info.single_step` is true.
        pub const TRACE_SINGLE_STEP: u16 = 1 << 0;
        /// Every flag bit of `trace` (bit 0); restore rejects any other bit.
        pub const TRACE_ALL: u16 = Self::TRACE_SINGLE_STEP;
    }
    #[automatically_derived]
    impl ::cr_core::Layout for PerHdr {
        const NAME: &'static str = "PerHdr";
        const FIELDS: &'static [::cr_core::FieldInfo] = &[
            __cr::path_row::<
                u64,
            >(
                "psw_addr",
                "regs.psw.addr",
                __cr::offset_of!(PerHdr, psw_addr),
                "u64",
                __cr::Mode::Copy,
            ),
            __cr::path_row::<
                u64,
            >(
                "starting_addr",
                "thread.per_info.starting_addr",
                __cr::offset_of!(PerHdr, starting_addr),
                "u64",
                __cr::Mode::Copy,
            ),
            __cr::row::<
                u16,
            >(
                "trace",
                __cr::offset_of!(PerHdr, trace),
                "u16",
                __cr::Mode::Flags(
                    &[
                        __cr::FlagInfo {
                            name: "SINGLE_STEP",
                            bit: 0,
                            path: __cr::Some("thread.per_info.single_step"),
                        },
                    ],
                ),
            ),
        ];
        const FINGERPRINT: u64 = ::cr_core::layout::fingerprint(
            ::core::mem::size_of::<Self>(),
            __cr::fields_of::<Self>(),
        );
    }
    #[automatically_derived]
    impl<'__cr0> ::cr_core::CrCopy<TaskView<'__cr0>> for PerHdr {
        #[inline]
        fn save(&mut self, src: &TaskView<'__cr0>) {
            self.psw_addr = __cr::Same::save(self.psw_addr, src.regs.psw.addr);
            self.starting_addr = __cr::Same::save(
                self.starting_addr,
                src.thread.per_info.starting_addr,
            );
            self.trace = __cr::Flag::save(
                src.thread.per_info.single_step,
                Self::TRACE_SINGLE_STEP,
            );
        }
        #[inline]
        fn restore(
            &self,
            dst: &mut TaskView<'__cr0>,
        ) -> ::core::result::Result<(), ::cr_core::Error> {
            __cr::restore(self, dst)
        }
    }
    #[automatically_derived]
    impl<'__cr0> __cr::Phases<TaskView<'__cr0>> for PerHdr {
        #[inline(always)]
        fn check(
            &self,
            dst: &TaskView<'__cr0>,
        ) -> ::core::result::Result<(), ::cr_core::Error> {
            if let __cr::Err(__e) = __cr::check_flags(
                self.trace,
                Self::TRACE_ALL,
                "trace",
            ) {
                return __cr::Err(__e);
            }
            ::core::result::Result::Ok(())
        }
        #[inline(always)]
        #[allow(trivial_casts, trivial_numeric_casts)]
        fn write(&self, dst: &mut TaskView<'__cr0>) {
            dst.regs.psw.addr = self.psw_addr as _;
            dst.thread.per_info.starting_addr = self.starting_addr as _;
            dst.thread.per_info.single_step = (self.trace & Self::TRACE_SINGLE_STEP != 0)
                as _;
        }
    }
};
