#[doc(hidden)]
const _: () = {
    #[allow(unused_imports)]
    use ::cr_core::__private as __cr;
    impl PerHdr {
        ///Bit 0 of `trace`: set when `thread.per_info.single_step` is true.
        pub const TRACE_SINGLE_STEP: u16 = 1 << 0;
        ///Every flag bit of `trace` (bit 0); restore rejects any other bit.
        pub const TRACE_ALL: u16 = Self::TRACE_SINGLE_STEP;
    }
    #[automatically_derived]
    impl ::cr_core::Layout for PerHdr {
        const NAME: &'static str = "PerHdr";
        const FIELDS: &'static [::cr_core::FieldInfo] = &[
            ::cr_core::FieldInfo {
                name: "psw_addr",
                path: ::core::option::Option::Some("regs.psw.addr"),
                offset: ::core::mem::offset_of!(PerHdr, psw_addr),
                size: ::core::mem::size_of::<u64>(),
                ty: "u64",
                format: <u64 as ::cr_core::layout::Describe>::FORMAT,
                mode: ::cr_core::layout::Mode::Copy,
            },
            ::cr_core::FieldInfo {
                name: "starting_addr",
                path: ::core::option::Option::Some("thread.per_info.starting_addr"),
                offset: ::core::mem::offset_of!(PerHdr, starting_addr),
                size: ::core::mem::size_of::<u64>(),
                ty: "u64",
                format: <u64 as ::cr_core::layout::Describe>::FORMAT,
                mode: ::cr_core::layout::Mode::Copy,
            },
            ::cr_core::FieldInfo {
                name: "trace",
                path: ::core::option::Option::None,
                offset: ::core::mem::offset_of!(PerHdr, trace),
                size: ::core::mem::size_of::<u16>(),
                ty: "u16",
                format: <u16 as ::cr_core::layout::Describe>::FORMAT,
                mode: ::cr_core::layout::Mode::Flags(
                    &[
                        ::cr_core::layout::FlagInfo {
                            name: "SINGLE_STEP",
                            bit: 0,
                            path: ::core::option::Option::Some(
                                "thread.per_info.single_step",
                            ),
                        },
                    ],
                ),
            },
        ];
        const FINGERPRINT: u64 = ::cr_core::layout::fingerprint(
            ::core::mem::size_of::<Self>(),
            __cr::fields_of::<Self>(),
        );
    }
    #[automatically_derived]
    impl ::cr_core::layout::Describe for PerHdr {
        const FORMAT: ::cr_core::layout::Format = ::cr_core::layout::Format::Header {
            fingerprint: __cr::fingerprint_of::<Self>(),
            size: ::core::mem::size_of::<Self>(),
        };
    }
    #[automatically_derived]
    impl<'__cr0> ::cr_core::CrCopy<TaskView<'__cr0>> for PerHdr {
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
        fn restore(
            &self,
            dst: &mut TaskView<'__cr0>,
        ) -> ::core::result::Result<(), ::cr_core::Error> {
            __cr::restore(self, dst)
        }
    }
    #[automatically_derived]
    impl<'__cr0> __cr::Phases<TaskView<'__cr0>> for PerHdr {
        #[inline]
        fn check(
            &self,
            dst: &TaskView<'__cr0>,
        ) -> ::core::result::Result<(), ::cr_core::Error> {
            __cr::check_flags(self.trace, Self::TRACE_ALL, "trace")?;
            ::core::result::Result::Ok(())
        }
        #[inline]
        fn write(&self, dst: &mut TaskView<'__cr0>) {
            dst.regs.psw.addr = __cr::Same::restore(self.psw_addr, dst.regs.psw.addr);
            dst.thread.per_info.starting_addr = __cr::Same::restore(
                self.starting_addr,
                dst.thread.per_info.starting_addr,
            );
            dst.thread.per_info.single_step = __cr::Flag::restore(
                self.trace,
                Self::TRACE_SINGLE_STEP,
                dst.thread.per_info.single_step,
            );
        }
        #[inline]
        fn after_restore(&self, dst: &mut TaskView<'__cr0>) {}
    }
};
