# CMake generated Testfile for 
# Source directory: /work/main/engine/src/http
# Build directory: /work/main/build/engine/src/http
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
