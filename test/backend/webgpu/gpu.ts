// The WebGPU backend for the parity suite, or null with a one-line notice when this machine has no adapter.
// REQUIRE_WEBGPU=1 (set by .ci/run) turns a missing adapter into a failure instead of a skip. Where Debian's
// chromium package left SwiftShader (software Vulkan), it is used when no Vulkan driver is named.
import { existsSync } from 'node:fs';
import type { WebGpuBackend } from '../../../src/backend/webgpu/webgpu-backend.ts';

const SWIFTSHADER = '/usr/lib/chromium/vk_swiftshader_icd.json';
let opened: Promise<WebGpuBackend | null> | undefined;

export function webgpu(): Promise<WebGpuBackend | null> {
  return (opened ??= (async () => {
    if (!process.env.VK_ICD_FILENAMES && !process.env.VK_DRIVER_FILES && existsSync(SWIFTSHADER))
      process.env.VK_ICD_FILENAMES = SWIFTSHADER;
    try {
      const [{ openDevice }, { WebGpuBackend }] = await Promise.all([
        import('../../../src/backend/webgpu/device.ts'),
        import('../../../src/backend/webgpu/webgpu-backend.ts'),
      ]);
      return new WebGpuBackend(await openDevice());
    } catch (e) {
      if (process.env.REQUIRE_WEBGPU === '1') throw e;
      console.warn(`WebGPU parity suite skipped: ${(e as Error).message}`);
      return null;
    }
  })());
}
