// outpostShrink downscales an image File to at most maxSide pixels on the
// long side: JPEG at the given quality, or PNG when the source is a PNG and
// PNG comes out smaller (screenshots). Decoding applies the EXIF
// orientation, and re-encoding drops the EXIF data (a photo's location) on
// the way. app/attach_wasm.go calls it; it is a file of its own because the
// Content-Security-Policy refuses code compiled from strings.
globalThis.outpostShrink = async function (file, maxSide, quality) {
	const bmp = await createImageBitmap(file);
	const scale = Math.min(1, maxSide / Math.max(bmp.width, bmp.height));
	const w = Math.max(1, Math.round(bmp.width * scale)), h = Math.max(1, Math.round(bmp.height * scale));
	let canvas, encode;
	if (typeof OffscreenCanvas !== "undefined") {
		canvas = new OffscreenCanvas(w, h);
		encode = (type, q) => canvas.convertToBlob({type, quality: q});
	} else {
		canvas = document.createElement("canvas");
		canvas.width = w; canvas.height = h;
		encode = (type, q) => new Promise((ok, fail) => canvas.toBlob(b => b ? ok(b) : fail(new Error("encode")), type, q));
	}
	const g = canvas.getContext("2d");
	g.imageSmoothingQuality = "high";
	g.drawImage(bmp, 0, 0, w, h);
	bmp.close();
	let png = null;
	if (file.type === "image/png") png = await encode("image/png");
	g.globalCompositeOperation = "destination-over"; // JPEG has no alpha: white behind
	g.fillStyle = "#fff";
	g.fillRect(0, 0, w, h);
	let out = await encode("image/jpeg", quality);
	if (png && png.size <= out.size) out = png;
	return {bytes: new Uint8Array(await out.arrayBuffer()), type: out.type, width: w, height: h};
};
