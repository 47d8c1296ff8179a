// SPDX-License-Identifier: Apache-2.0
// Writes a short looping camera video with a real face off centre: skimage's astronaut photo
// (Debian python3-skimage, read in place) at the left edge of a 1280x720 frame. A centred 4:5
// crop of it (x 352..928) cuts the face (x ~160..400) off; a face-centred one holds it.
// Used by the kiosk e2e test and by make-screens. Usage: pb_face_scene OUT.avi
#include <cstdio>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: pb_face_scene OUT.avi\n");
    return 2;
  }
  cv::Mat person = cv::imread("/usr/lib/python3/dist-packages/skimage/data/astronaut.png");
  if (person.empty()) {
    std::fprintf(stderr, "pb_face_scene: python3-skimage's astronaut.png is missing\n");
    return 1;
  }
  cv::resize(person, person, {720, 720});
  cv::Mat scene(720, 1280, CV_8UC3, cv::Scalar(150, 160, 170));
  person.copyTo(scene(cv::Rect(0, 0, 720, 720)));
  cv::VideoWriter out(argv[1], cv::CAP_OPENCV_MJPEG, cv::VideoWriter::fourcc('M', 'J', 'P', 'G'),
                      10, scene.size());
  if (!out.isOpened()) {
    std::fprintf(stderr, "pb_face_scene: cannot write %s\n", argv[1]);
    return 1;
  }
  for (int i = 0; i < 10; ++i) out.write(scene);
  return 0;
}
