"""nn: layers, activations, losses, initialization and saving, on tinygrad_lite Tensors,
spelled like torch.nn.

    import nn
    import nn.functional as F
    model = nn.Sequential(nn.Linear(2, 5), nn.ReLU(), nn.Linear(5, 2))
    loss = nn.CrossEntropyLoss()(model(x), y)
"""
from . import functional, init
from . import utils
from .activation import (ELU, GELU, SELU, LeakyReLU, LogSoftmax, PReLU, ReLU, RReLU, Sigmoid,
                         Softmax, Softplus, Tanh)
from .batchnorm import BatchNorm1d, BatchNorm2d
from .containers import ModuleDict, ModuleList, Sequential
from .conv import Conv2d
from .dropout import Dropout
from .linear import Flatten, Identity, Linear
from .loss import (BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, L1Loss, MSELoss, NLLLoss,
                   l1_penalty, l2_penalty)
from .module import Module, Parameter
from .pooling import (AdaptiveAvgPool2d, AdaptiveMaxPool2d, AvgPool1d, AvgPool2d, MaxPool1d,
                      MaxPool2d)
from .summary import summary
from tinygrad_lite.serialization import load, save

__all__ = ["AvgPool2d", "BCELoss", "BCEWithLogitsLoss", "BatchNorm1d", "BatchNorm2d", "Conv2d",
           "CrossEntropyLoss", "Dropout", "ELU", "Flatten", "GELU", "Identity", "L1Loss",
           "LeakyReLU", "Linear", "LogSoftmax", "MSELoss", "MaxPool2d", "Module", "ModuleDict",
           "ModuleList", "NLLLoss", "PReLU", "Parameter", "RReLU", "ReLU", "SELU", "Sequential",
           "Sigmoid", "Softmax", "Softplus", "Tanh", "functional", "init", "l1_penalty",
           "l2_penalty", "load", "save", "summary"]
__all__ += ["utils"]
__all__ += ["AdaptiveAvgPool2d", "AdaptiveMaxPool2d", "AvgPool1d", "MaxPool1d"]
