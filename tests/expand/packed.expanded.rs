#[doc(hidden)]
const _: () = {
    #[allow(unused_imports)]
    use ::cr_core::__private as __cr;
    const _: () = ::core::assert!(
        __cr::size_of_place:: < Device, _ > (| t | t.scale) == ::core::mem::size_of:: <
        u32 > (),
        "cr: header field `scale` (u32) and live `scale` differ in size; `bits` reinterprets bytes, so the header field needs a type of exactly the live place's size"
    );
    const _: () = {
        let _ = |t: &Device| {
            let Device { id: _, base: _, irq: _, scale: _, enabled: _, channels: _ } = t;
        };
    };
    impl DeviceHeader {
        ///Bit 0 of `flags`: set when `enabled` is true.
        pub const FLAGS_ENABLED: u8 = 1 << 0;
        ///Every flag bit of `flags` (bit 0); restore rejects any other bit.
        pub const FLAGS_ALL: u8 = Self::FLAGS_ENABLED;
    }
    #[automatically_derived]
    impl ::cr_core::Layout for DeviceHeader {
        const NAME: &'static str = "DeviceHeader";
        const FIELDS: &'static [::cr_core::FieldInfo] = &[
            ::cr_core::FieldInfo {
                name: "id",
                path: ::core::option::Option::Some("id"),
                offset: ::core::mem::offset_of!(DeviceHeader, id),
                size: ::core::mem::size_of::<u8>(),
                ty: "u8",
                format: <u8 as ::cr_core::layout::Describe>::FORMAT,
                mode: ::cr_core::layout::Mode::Copy,
            },
            ::cr_core::FieldInfo {
                name: "base",
                path: ::core::option::Option::Some("base"),
                offset: ::core::mem::offset_of!(DeviceHeader, base),
                size: ::core::mem::size_of::<u64>(),
                ty: "u64",
                format: <u64 as ::cr_core::layout::Describe>::FORMAT,
                mode: ::cr_core::layout::Mode::Mask {
                    mask: (!0xfff) as u64,
                },
            },
            ::cr_core::FieldInfo {
                name: "irq",
                path: ::core::option::Option::Some("irq"),
                offset: ::core::mem::offset_of!(DeviceHeader, irq),
                size: ::core::mem::size_of::<u32>(),
                ty: "u32",
                format: <u32 as ::cr_core::layout::Describe>::FORMAT,
                mode: ::cr_core::layout::Mode::Convert,
            },
            ::cr_core::FieldInfo {
                name: "scale",
                path: ::core::option::Option::Some("scale"),
                offset: ::core::mem::offset_of!(DeviceHeader, scale),
                size: ::core::mem::size_of::<u32>(),
                ty: "u32",
                format: <u32 as ::cr_core::layout::Describe>::FORMAT,
                mode: ::cr_core::layout::Mode::Bits,
            },
            ::cr_core::FieldInfo {
                name: "flags",
                path: ::core::option::Option::None,
                offset: ::core::mem::offset_of!(DeviceHeader, flags),
                size: ::core::mem::size_of::<u8>(),
                ty: "u8",
                format: <u8 as ::cr_core::layout::Describe>::FORMAT,
                mode: ::cr_core::layout::Mode::Flags(
                    &[
                        ::cr_core::layout::FlagInfo {
                            name: "ENABLED",
                            bit: 0,
                            path: ::core::option::Option::Some("enabled"),
                        },
                    ],
                ),
            },
            ::cr_core::FieldInfo {
                name: "channels",
                path: ::core::option::Option::Some("channels"),
                offset: ::core::mem::offset_of!(DeviceHeader, channels),
                size: ::core::mem::size_of::<[ChannelHeader; 2]>(),
                ty: "[ChannelHeader; 2]",
                format: <[ChannelHeader; 2] as ::cr_core::layout::Describe>::FORMAT,
                mode: ::cr_core::layout::Mode::Nested(
                    __cr::nest::<Device, [ChannelHeader; 2], _>(|t| t.channels).layout,
                ),
            },
            ::cr_core::FieldInfo {
                name: "reserved",
                path: ::core::option::Option::None,
                offset: ::core::mem::offset_of!(DeviceHeader, reserved),
                size: ::core::mem::size_of::<[u8; 3]>(),
                ty: "[u8; 3]",
                format: <[u8; 3] as ::cr_core::layout::Describe>::FORMAT,
                mode: ::cr_core::layout::Mode::Reserved,
            },
        ];
        const FINGERPRINT: u64 = ::cr_core::layout::fingerprint(
            ::core::mem::size_of::<Self>(),
            __cr::fields_of::<Self>(),
        );
    }
    #[automatically_derived]
    impl ::cr_core::layout::Describe for DeviceHeader {
        const FORMAT: ::cr_core::layout::Format = ::cr_core::layout::Format::Header {
            fingerprint: __cr::fingerprint_of::<Self>(),
            size: ::core::mem::size_of::<Self>(),
        };
    }
    #[automatically_derived]
    impl ::cr_core::CrCopy<Device> for DeviceHeader {
        fn save(&mut self, src: &Device) {
            self.id = __cr::Same::save(self.id, src.id);
            self.base = __cr::Same::save(self.base, src.base);
            self.irq = __cr::Widen::save(self.irq, src.irq);
            self.scale = __cr::bits(src.scale);
            self.flags = __cr::Flag::save(src.enabled, Self::FLAGS_ENABLED);
            self.channels = __cr::nest::<Device, [ChannelHeader; 2], _>(|t| t.channels)
                .save(self.channels, src.channels);
            self.reserved = __cr::FromZeros::new_zeroed();
        }
        fn restore(
            &self,
            dst: &mut Device,
        ) -> ::core::result::Result<(), ::cr_core::Error> {
            __cr::restore(self, dst)
        }
    }
    #[automatically_derived]
    impl __cr::Phases<Device> for DeviceHeader {
        #[inline]
        fn check(&self, dst: &Device) -> ::core::result::Result<(), ::cr_core::Error> {
            __cr::narrow(self.irq, dst.irq, "irq", "irq")?;
            __cr::check_flags(self.flags, Self::FLAGS_ALL, "flags")?;
            __cr::nest::<Device, [ChannelHeader; 2], _>(|t| t.channels)
                .check(
                    self.channels,
                    dst.channels,
                    const { &<Self as ::cr_core::Layout>::FIELDS[5] },
                )?;
            __cr::check_reserved(self.reserved, "reserved")?;
            ::core::result::Result::Ok(())
        }
        #[inline]
        fn write(&self, dst: &mut Device) {
            dst.id = __cr::Same::restore(self.id, dst.id);
            dst.base = __cr::Same::restore_masked(self.base, !0xfff, dst.base);
            dst.irq = __cr::narrowed(self.irq, dst.irq);
            dst.scale = __cr::bits(self.scale);
            dst.enabled = __cr::Flag::restore(
                self.flags,
                Self::FLAGS_ENABLED,
                dst.enabled,
            );
            dst.channels = __cr::nest::<Device, [ChannelHeader; 2], _>(|t| t.channels)
                .write(self.channels, dst.channels);
        }
        #[inline]
        fn after_restore(&self, dst: &mut Device) {
            dst.channels = __cr::nest::<Device, [ChannelHeader; 2], _>(|t| t.channels)
                .after_restore(self.channels, dst.channels);
        }
    }
};
