import { baseImageDir, ensureBaseImage } from '../providers/qemu/base-image';

// `npm run qemu:image`: builds the qemu driver's base image, or says it is already there (.ci/run and npm start).
const dir = baseImageDir(process.env.QEMU_IMAGE_CACHE?.trim() || undefined);
try {
  await ensureBaseImage(dir, (line) => console.log(line));
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}
