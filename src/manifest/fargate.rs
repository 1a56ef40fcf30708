//! The CPU/memory pairs AWS Fargate accepts, and which platforms allow which sizes.
//! Pure data plus one check.

use super::common::Platform;

/// Ephemeral storage a Fargate task has without asking (GiB); `storage.ephemeral` may
/// raise it to 200 (<https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-task-storage.html>).
pub const DEFAULT_EPHEMERAL_GIB: u32 = 20;

/// One CPU size and the memory sizes allowed with it.
struct Size {
    cpu: u32,
    min_mem: u32,
    max_mem: u32,
    step: u32,
    /// Only on Linux (8 and 16 vCPU).
    linux_only: bool,
}

const SIZES: &[Size] = &[
    Size {
        cpu: 256,
        min_mem: 512,
        max_mem: 2048,
        step: 512,
        linux_only: false,
    }, // but not 1536: see `fits`
    Size {
        cpu: 512,
        min_mem: 1024,
        max_mem: 4096,
        step: 1024,
        linux_only: false,
    },
    Size {
        cpu: 1024,
        min_mem: 2048,
        max_mem: 8192,
        step: 1024,
        linux_only: false,
    },
    Size {
        cpu: 2048,
        min_mem: 4096,
        max_mem: 16384,
        step: 1024,
        linux_only: false,
    },
    Size {
        cpu: 4096,
        min_mem: 8192,
        max_mem: 30720,
        step: 1024,
        linux_only: false,
    },
    Size {
        cpu: 8192,
        min_mem: 16384,
        max_mem: 61440,
        step: 4096,
        linux_only: true,
    },
    Size {
        cpu: 16384,
        min_mem: 32768,
        max_mem: 122880,
        step: 8192,
        linux_only: true,
    },
];

/// Why a CPU/memory pair is not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SizeError {
    /// The CPU value is not a Fargate size (or not on this platform).
    Cpu {
        /// Explanation.
        message: String,
        /// Allowed CPU values on this platform.
        allowed: Vec<u32>,
    },
    /// The memory does not go with this CPU.
    Memory {
        /// Explanation.
        message: String,
        /// The allowed memory values, as text.
        allowed: String,
    },
}

fn fits(s: &Size, memory: u32) -> bool {
    memory >= s.min_mem
        && memory <= s.max_mem
        && (memory - s.min_mem).is_multiple_of(s.step)
        && !(s.cpu == 256 && memory == 1536)
}

fn mem_list(s: &Size) -> String {
    if (s.max_mem - s.min_mem) / s.step <= 4 {
        (0..=(s.max_mem - s.min_mem) / s.step)
            .map(|i| s.min_mem + i * s.step)
            .filter(|m| fits(s, *m))
            .map(|m| m.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    } else {
        format!("{} to {} in steps of {}", s.min_mem, s.max_mem, s.step)
    }
}

/// Checks a task size against Fargate's table for `platform`.
pub fn check(cpu: u32, memory: u32, platform: Platform) -> Result<(), SizeError> {
    let windows = platform.os.is_windows();
    let allowed: Vec<u32> = SIZES
        .iter()
        .filter(|s| !(windows && (s.linux_only || s.cpu < 1024)))
        .map(|s| s.cpu)
        .collect();
    let Some(size) = SIZES.iter().find(|s| s.cpu == cpu) else {
        return Err(SizeError::Cpu {
            message: format!("Fargate has no task size with {cpu} CPU units"),
            allowed,
        });
    };
    if !allowed.contains(&cpu) {
        let why = if size.linux_only {
            "is only available on Linux"
        } else {
            "is below the Windows minimum of 1024"
        };
        return Err(SizeError::Cpu {
            message: format!("{cpu} CPU units {why}"),
            allowed,
        });
    }
    if !fits(size, memory) {
        return Err(SizeError::Memory {
            message: format!("Fargate does not accept {memory} MiB of memory with {cpu} CPU units"),
            allowed: mem_list(size),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::common::{Arch, OsFamily};

    const LINUX: Platform = Platform {
        os: OsFamily::Linux,
        arch: Arch::X86_64,
    };
    const ARM: Platform = Platform {
        os: OsFamily::Linux,
        arch: Arch::Arm64,
    };
    const WINDOWS: Platform = Platform {
        os: OsFamily::WindowsServer2019Core,
        arch: Arch::X86_64,
    };

    #[test]
    fn every_documented_linux_pair_is_accepted_and_neighbours_are_not() {
        let table: &[(u32, &[u32])] = &[
            (256, &[512, 1024, 2048]),
            (512, &[1024, 2048, 3072, 4096]),
            (1024, &[2048, 3072, 4096, 5120, 6144, 7168, 8192]),
        ];
        assert!(check(256, 1536, LINUX).is_err());
        for (cpu, mems) in table {
            for m in *mems {
                assert_eq!(check(*cpu, *m, LINUX), Ok(()), "{cpu}/{m}");
                assert_eq!(check(*cpu, *m, ARM), Ok(()), "arm {cpu}/{m}");
            }
            assert!(check(*cpu, mems[0] - 512, LINUX).is_err());
            assert!(check(*cpu, mems[mems.len() - 1] + 1024, LINUX).is_err());
        }
        for m in (4096..=16384).step_by(1024) {
            assert_eq!(check(2048, m, LINUX), Ok(()));
        }
        assert!(check(2048, 4608, LINUX).is_err());
        for m in (8192..=30720).step_by(1024) {
            assert_eq!(check(4096, m, LINUX), Ok(()));
        }
        assert!(check(4096, 31744, LINUX).is_err());
        for m in (16384..=61440).step_by(4096) {
            assert_eq!(check(8192, m, LINUX), Ok(()));
        }
        assert!(check(8192, 17408, LINUX).is_err());
        for m in (32768..=122880).step_by(8192) {
            assert_eq!(check(16384, m, LINUX), Ok(()));
        }
        assert!(check(16384, 36864, LINUX).is_err());
    }

    #[test]
    fn unknown_cpu_lists_the_allowed_values() {
        match check(300, 512, LINUX) {
            Err(SizeError::Cpu { allowed, .. }) => {
                assert_eq!(allowed, [256, 512, 1024, 2048, 4096, 8192, 16384])
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn memory_error_lists_what_goes_with_the_cpu() {
        match check(256, 4096, LINUX) {
            Err(SizeError::Memory { allowed, .. }) => assert_eq!(allowed, "512, 1024, 2048"),
            other => panic!("{other:?}"),
        }
        match check(2048, 2048, LINUX) {
            Err(SizeError::Memory { allowed, .. }) => {
                assert_eq!(allowed, "4096 to 16384 in steps of 1024")
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn windows_needs_at_least_one_vcpu_and_no_more_than_four() {
        assert!(matches!(
            check(512, 1024, WINDOWS),
            Err(SizeError::Cpu { .. })
        ));
        assert!(matches!(
            check(8192, 16384, WINDOWS),
            Err(SizeError::Cpu { .. })
        ));
        assert_eq!(check(1024, 2048, WINDOWS), Ok(()));
        assert_eq!(check(4096, 8192, WINDOWS), Ok(()));
    }
}
