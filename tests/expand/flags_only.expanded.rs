#[doc(hidden)]
const _: () = {
    #[allow(unused_imports)]
    use ::cr_core::__private as __cr;
    impl MmFlags {
        /// Bit 0 of `flags`: set when `noexec` is true.
        pub const FLAGS_NOEXEC: u32 = 1 << 0;
        /// Bit 1 of `flags`: set when `has_pgste` is true.
        pub const FLAGS_HAS_PGSTE: u32 = 1 << 1;
        /// Bit 5 of `flags`: set when `alloc_pgste` is true.
        pub const FLAGS_ALLOC: u32 = 1 << 5;
        /// Every flag bit of `flags` (bits 0, 1, 5); restore rejects any other bit.
        pub const FLAGS_ALL: u32 = Self::FLAGS_NOEXEC | Self::FLAGS_HAS_PGSTE
            | Self::FLAGS_ALLOC;
    }
    #[automatically_derived]
    impl ::cr_core::Layout for MmFlags {
        const NAME: &'static str = "MmFlags";
        const FIELDS: &'static [::cr_core::FieldInfo] = &[
            __cr::row::<
                u32,
            >(
                "flags",
                __cr::offset_of!(MmFlags, flags),
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
                            name: "ALLOC",
                            bit: 5,
                            path: __cr::Some("alloc_pgste"),
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
    impl ::cr_core::CrCopy<MmContext> for MmFlags {
        #[inline]
        fn save(&mut self, src: &MmContext) {
            self.flags = __cr::Flag::save(src.noexec, Self::FLAGS_NOEXEC)
                | __cr::Flag::save(src.has_pgste, Self::FLAGS_HAS_PGSTE)
                | __cr::Flag::save(src.alloc_pgste, Self::FLAGS_ALLOC);
        }
        #[inline]
        fn restore(
            &self,
            dst: &mut MmContext,
        ) -> ::core::result::Result<(), ::cr_core::Error> {
            __cr::restore(self, dst)
        }
    }
    #[automatically_derived]
    impl __cr::Phases<MmContext> for MmFlags {
        #[inline(always)]
        fn check(
            &self,
            dst: &MmContext,
        ) -> ::core::result::Result<(), ::cr_core::Error> {
            if let __cr::Err(__e) = __cr::check_flags(
                self.flags,
                Self::FLAGS_ALL,
                "flags",
            ) {
                return __cr::Err(__e);
            }
            ::core::result::Result::Ok(())
        }
        #[inline(always)]
        #[allow(trivial_casts, trivial_numeric_casts)]
        fn write(&self, dst: &mut MmContext) {
            dst.noexec = (self.flags & Self::FLAGS_NOEXEC != 0) as _;
            dst.has_pgste = (self.flags & Self::FLAGS_HAS_PGSTE != 0) as _;
            dst.alloc_pgste = (self.flags & Self::FLAGS_ALLOC != 0) as _;
        }
    }
};
